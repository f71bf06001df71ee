import { onShutdownSignal, setUpService } from '@infra-report/shared';
import { createApi } from './create-api.js';

const setup = setUpService('api', process.argv, process.env);
const service = createApi(setup);
await service.start();
onShutdownSignal(setup.logger, service.close);
