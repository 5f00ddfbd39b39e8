/*--- {
  "description": "UnauthorizedError has the shape of the Rules sandbox class: name, code, message, description, statusCode 401, instanceof Error",
  "user": {},
  "context": {},
  "expect": {
    "user": {"name": "UnauthorizedError", "code": "unauthorized", "message": "m", "description": "m", "statusCode": 401,
      "isError": true, "isUnauthorized": true, "withoutNew": true, "toString": "UnauthorizedError: m",
      "keys": ["name", "code", "message", "statusCode", "description"], "stackHead": "UnauthorizedError: m"}
  }
} ---*/
// --- rule: shape
function (user, context, callback) {
  var e = new UnauthorizedError('m');
  user.name = e.name; user.code = e.code; user.message = e.message; user.description = e.description;
  user.statusCode = e.statusCode; user.isError = e instanceof Error; user.isUnauthorized = e instanceof UnauthorizedError;
  user.withoutNew = UnauthorizedError('x') instanceof UnauthorizedError;
  user.toString = String(e);
  user.keys = Object.keys(e);
  user.stackHead = e.stack.split('\n')[0];
  callback(null, user, context);
}
