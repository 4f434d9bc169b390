import * as convcs from '/dist/convcs.browser.mjs';
import { conformance } from '/tests/conformance/conformance.mjs';

postMessage(await conformance(convcs));
