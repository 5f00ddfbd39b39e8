package npm_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry/npm"
	"github.com/verq/verq/sandbox"
)

// reachableRegistry returns the npm registry URL (NPM_CONFIG_REGISTRY or the public one), skipping
// the test when -short is set or the registry does not answer.
func reachableRegistry(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping: adds real packages from the npm registry (run without -short)")
	}
	u := npm.RegistryURL("", os.Getenv)
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(u + "/lodash/4.17.21")
	if err != nil {
		t.Skipf("skipping: the npm registry %s is not reachable: %v", u, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Skipf("skipping: the npm registry %s answered %s", u, resp.Status)
	}
	return u
}

// TestRealPackages adds packages the Rules templates require from the npm registry and requires
// them from rules running in the sandbox.
func TestRealPackages(t *testing.T) {
	u := reachableRegistry(t)
	e := newEnv(t, u)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for _, spec := range []string{"lodash@4.17.21", "moment@2.29.4", "uuid@3.4.0", "ipaddr.js@1.9.1", "xmldom@0.1.31", "xpath@0.0.27", "async@2.6.4"} {
		res, err := e.store.Add(ctx, spec, npm.AddOptions{Catalog: e.cat, Runtime: catalog.DefaultRuntime, Actor: "test"})
		if err != nil {
			t.Fatalf("add %s: %v", spec, err)
		}
		t.Logf("%s: added %v, present %v, pinned %v, %d bytes", spec, res.Added, res.Present, res.Pinned, res.Downloaded)
	}
	if err := e.store.Check(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, body string
		want       any
	}{
		{"lodash get and merge", `var _ = require('lodash@4.17.21');
			context.out = _.get({a: {b: [1, {c: 'deep'}]}}, 'a.b[1].c') + '|' + JSON.stringify(_.merge({a: {x: 1}}, {a: {y: 2}}));
			callback(null, user, context);`, `deep|{"a":{"x":1,"y":2}}`},
		{"moment format", `var moment = require('moment@2.29.4');
			context.out = moment.utc('2021-03-04T05:06:07Z').format('YYYY-MM-DD HH:mm:ss dddd MMMM [week] W') + '|' + moment.utc(0).add(1, 'day').toISOString() +
				'|' + moment.utc('2021-03-04T05:06:07Z').locale('fr').format('dddd D MMMM');
			callback(null, user, context);`, "2021-03-04 05:06:07 Thursday March week 9|1970-01-02T00:00:00.000Z|jeudi 4 mars"},
		{"uuid v4", `var uuid = require('uuid@3.4.0');
			var a = uuid.v4(), b = uuid();
			context.out = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(a) && a !== b;
			callback(null, user, context);`, true},
		{"ipaddr range check", `var ipaddr = require('ipaddr.js@1.9.1');
			var addr = ipaddr.parse('10.1.2.3');
			context.out = [addr.match(ipaddr.parseCIDR('10.0.0.0/8')), addr.match(ipaddr.parseCIDR('192.168.0.0/16')),
				addr.range(), ipaddr.parse('8.8.8.8').range(), ipaddr.process('::ffff:127.0.0.1').toString()].join();
			callback(null, user, context);`, "true,false,private,unicast,127.0.0.1"},
		{"xmldom and xpath", `var DOMParser = require('xmldom@0.1.31').DOMParser;
			var xpath = require('xpath@0.0.27');
			var doc = new DOMParser().parseFromString('<users><user id="1"><name>Ann</name></user><user id="2"><name>Bob</name></user></users>', 'text/xml');
			context.out = xpath.select('//user[@id="2"]/name/text()', doc)[0].nodeValue + ',' + xpath.select('count(//user)', doc) + ',' +
				xpath.select1('string(//user[1]/@id)', doc);
			callback(null, user, context);`, "Bob,2,1"},
		{"async waterfall", `var async = require('async@2.6.4');
			async.waterfall([
				function (cb) { cb(null, 1); },
				function (a, cb) { setImmediate(function () { cb(null, a + 1); }); },
				function (b, cb) { setTimeout(function () { cb(null, b * 10); }, 1); }
			], function (err, result) {
				context.out = err ? String(err) : result;
				callback(null, user, context);
			});`, 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := e.run(t, tc.body)
			if res.Outcome != sandbox.OutcomeOK {
				t.Fatalf("outcome %s: %s", res.Outcome, res.Error)
			}
			if got := fmt.Sprint(res.Context["out"]); got != fmt.Sprint(tc.want) {
				t.Fatalf("got %q, want %q", got, fmt.Sprint(tc.want))
			}
		})
	}
}
