// node:assert/strict, except that ok() always carries a message. Without one, node rebuilds the
// failed expression by re-parsing the test's source file, and under tsx's TypeScript transform
// that parse can hang the whole run instead of reporting the failure.
import strict from 'node:assert/strict';

function ok(value: unknown, message?: string | Error): asserts value {
  strict.ok(value, message ?? 'expected a truthy value');
}

const assert: typeof strict = Object.assign(
  (value: unknown, message?: string | Error): asserts value => ok(value, message),
  strict,
  { ok },
) as typeof strict;

export default assert;
