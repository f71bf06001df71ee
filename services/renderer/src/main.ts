import { onShutdownSignal, setUpService } from '@infra-report/shared';
import { createRenderer } from './create-renderer.js';

const setup = setUpService('renderer', process.argv, process.env);
const service = createRenderer(setup);
await service.start();
onShutdownSignal(setup.logger, service.close);
