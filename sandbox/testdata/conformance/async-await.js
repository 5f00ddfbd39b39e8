/*--- {
  "description": "async rules, await, timers and ES2017+ syntax work; the callback may come from a later turn",
  "user": {"app_metadata": {"plan": "pro", "tags": ["a", "b"]}},
  "context": {"request": {"query": {"ui_locales": "fr"}}},
  "expect": {
    "user": {"app_metadata": {"plan": "pro", "tags": ["a", "b"]}, "summary": "pro:a,b:fr", "entries": [["plan", "pro"], ["tags", ["a", "b"]]], "n": 42, "cls": "Box(42)"},
    "context": {"request": {"query": {"ui_locales": "fr"}}}
  }
} ---*/
// --- rule: modern
async function (user, context, callback) {
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  await sleep(5);
  const { plan, tags = [] } = user.app_metadata ?? {};
  const locale = context?.request?.query?.ui_locales ?? 'en';
  user.summary = `${plan}:${[...tags].join(',')}:${locale}`;
  user.entries = [];
  for (const [k, v] of Object.entries(user.app_metadata)) user.entries.push([k, v]);
  class Box { #v; constructor(v) { this.#v = v; } get v() { return this.#v; } toString() { return `Box(${this.#v})`; } }
  const n = await Promise.resolve(new Box(42));
  user.n = n.v;
  user.cls = String(n);
  callback(null, user, context);
}
