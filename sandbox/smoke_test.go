package sandbox

import (
	"encoding/json"
	"fmt"
	"testing"
)

func TestSmoke(t *testing.T) {
	e := mustExecutor(t, Config{Configuration: map[string]string{"K": "v"}},
		`function (user, context, callback) { user.x = 1; console.log('hi %s', user.name, {a: [1, 'b']}); callback(null, user, context); }`,
		`async function (user, context, callback) { await null; context.idToken = {n: require('lib').add(1, 2)}; setTimeout(() => callback(null, user, context), 5); }`,
	)
	res := mustRun(t, e, map[string]any{"name": "jane", "app_metadata": map[string]any{"roles": []any{"a"}}}, map[string]any{"clientID": "abc"})
	b, _ := json.MarshalIndent(res, "", "  ")
	fmt.Println(string(b))
}
