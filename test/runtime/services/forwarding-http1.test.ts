import { runForwardingFailureSuite } from './forwarding-failures.suite.js';
import { runForwardingSuite } from './forwarding.suite.js';

runForwardingSuite('http1');
runForwardingFailureSuite('http1');
