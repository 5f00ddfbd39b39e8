// Package request serves the npm module request 2.x (Range ">=2.0.0 <3") to rules, implemented in
// Go over verq's egress core: every call goes through the executor's policy-enforcing client
// (registry.Host.HTTPClient), is bounded by the execution's context, runs off the JavaScript
// goroutine and settles on the event loop.
//
// # Basics
//
// Register [New] in a registry. require('request') returns the request function:
//
//	request(url | options [, options], callback) → Request
//	request.get / head / options / post / put / patch / del / delete(...)
//	request.defaults(options) → a request function whose calls start from options (deep merge)
//
// Options: url / uri (string or {href}), baseUrl, method, headers, qs (serialized like the qs
// library: a[b]=c, a[0]=x) and useQuerystring (Node querystring: a=x&a=y), json (true: parse the
// response and serialize body as JSON; an object: the body), form (object or string,
// application/x-www-form-urlencoded), body (string, Buffer, or an array of Buffers), auth ({bearer},
// {user, pass} or {username, password}; user information in the URL also works), timeout
// (milliseconds; the error has code 'ETIMEDOUT'), encoding (undefined: UTF-8 string; null: Buffer;
// 'base64', 'hex', 'latin1', 'utf8' (which strips a BOM), …), followRedirect, followAllRedirects
// (without it PATCH, PUT, POST and DELETE redirects are returned, not followed), maxRedirects
// (default 10) and time (response.elapsedTime).
//
// The callback receives (err, response, body). response has statusCode, statusMessage, headers
// (lower-case names; set-cookie an array), rawHeaders, httpVersion, body, request (the Request
// object: method, uri, href, headers) and toJSON(). Errors carry Node.js codes: ECONNREFUSED,
// ENOTFOUND, ETIMEDOUT, ECONNRESET, and verq's ERR_EGRESS_DENIED (the egress policy refused the
// destination) and ERR_RESPONSE_TOO_LARGE (the response exceeded the size limit). The returned
// Request supports abort() and on('response' | 'complete' | 'error' | 'abort', fn).
//
// # Caveats
//
// Streaming is out of scope: pipe(), write() and end() throw, and the body is delivered whole to
// the callback (within the size limit). Errors found in the options reach the callback
// asynchronously (request emitted some synchronously). TLS options (strictSSL, ca, cert,
// rejectUnauthorized), proxy, agent and pool are ignored: certificates are always verified and the
// egress client decides how connections are made. Cookie jars, formData/multipart, OAuth, AWS and
// HAR options are not supported (formData and multipart fail with a clear error). auth.sendImmediately
// false still sends the credentials at once. Like Node.js, no User-Agent is sent unless given; unlike
// it, Accept-Encoding: gzip is added when the rule sets no Accept-Encoding, and the response is
// decompressed transparently. Header names are sent in canonical case.
package request
