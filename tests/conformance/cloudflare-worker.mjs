import * as convcs from 'convcs';
import { conformance } from './conformance.mjs';

export default {
  async fetch() {
    return Response.json(await conformance(convcs));
  },
};
