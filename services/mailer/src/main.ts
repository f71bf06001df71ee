import { onShutdownSignal, setUpService } from '@infra-report/shared';
import { createMailer } from './create-mailer.js';

const setup = setUpService('mailer', process.argv, process.env);
const service = createMailer(setup);
await service.start();
onShutdownSignal(setup.logger, service.close);
