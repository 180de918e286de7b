import { runForwardingFailureSuite } from './forwarding-failures.suite.js';
import { runForwardingSuite } from './forwarding.suite.js';

runForwardingSuite('http-proxy');
runForwardingFailureSuite('http-proxy');
