const convcs = require('convcs');

import('./conformance.mjs')
  .then(({ conformance }) => conformance(convcs))
  .then((result) => console.log(JSON.stringify(result)));
