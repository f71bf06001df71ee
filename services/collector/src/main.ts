import { onShutdownSignal, setUpService } from '@infra-report/shared';
import { createCollector } from './create-collector.js';

const setup = setUpService('collector', process.argv, process.env);
const service = createCollector(setup);
await service.start();
onShutdownSignal(setup.logger, service.close);
