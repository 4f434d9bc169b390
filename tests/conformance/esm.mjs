import * as convcs from 'convcs';
import { conformance } from './conformance.mjs';

console.log(JSON.stringify(await conformance(convcs)));
