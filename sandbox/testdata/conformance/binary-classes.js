/*--- {
  "description": "Buffer and the typed arrays keep their class identity (instanceof, constructor, subclasses)",
  "user": {},
  "context": {},
  "expect": {
    "user": {"checks": [true, true, true, true, true, false, true, true, true, true, true, false, "function", "function"]}
  }
} ---*/
// --- rule: classes
function (user, context, callback) {
  class Bytes extends Uint8Array {}
  const b = Buffer.from('hi');
  const u = new Uint8Array(2);
  const s = new Bytes(3);
  user.checks = [
    b instanceof Buffer, b instanceof Uint8Array, u instanceof Uint8Array, s instanceof Bytes, s instanceof Uint8Array,
    u instanceof Bytes, b.constructor === Buffer, u.constructor === Uint8Array, new ArrayBuffer(4) instanceof ArrayBuffer,
    Buffer.isBuffer(b), u.subarray(1) instanceof Uint8Array, Buffer.isBuffer(u), typeof Uint8Array, typeof Buffer,
  ];
  callback(null, user, context);
}
