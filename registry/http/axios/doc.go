// Package axios serves the npm module axios 0.x (Range ">=0.0.1 <1") to rules, implemented in Go
// over verq's egress core: every call goes through the executor's policy-enforcing client, is bound
// to the execution's context, runs off the JavaScript goroutine and settles its promise on the loop.
//
// # Basics
//
// Register [New] in a registry. require('axios') returns the default instance:
//
//	axios(config) / axios(url[, config]) / axios.request(config) → Promise<response>
//	axios.get / delete / head / options(url[, config]); axios.post / put / patch(url[, data[, config]])
//	axios.create(config) → instance; instance.defaults; instance.interceptors.request/response.use/eject
//	axios.all, axios.spread, axios.isCancel, axios.isAxiosError (0.21.1+), axios.getUri, axios.default
//
// Config: url, baseURL, method, headers (with defaults.headers.common and per-method groups),
// params (arrays as a[]=1, objects as JSON) and paramsSerializer, data (objects as JSON,
// URLSearchParams as a form, strings and Buffers as they are), transformRequest/transformResponse
// (the defaults are real functions, so defaults.transformResponse.concat(fn) works), timeout
// (rejects with code 'ECONNABORTED', "timeout of Nms exceeded", or timeoutErrorMessage), auth
// ({username, password}), responseType ('json'/'text': strings that are JSON are parsed, as in axios
// 0.x; 'arraybuffer': a Buffer), responseEncoding, validateStatus (a function, or null to accept
// every status), maxRedirects (0: the 3xx response is returned) and maxContentLength.
//
// A response is {data, status, statusText, headers (lower-case names), config, request}. A
// rejection is an Error with config, request, response (for status errors), isAxiosError (0.19+),
// toJSON() (0.19+), and code: the Node.js network code (ECONNREFUSED, ENOTFOUND, …),
// ECONNABORTED for timeouts, ERR_FR_TOO_MANY_REDIRECTS, ERR_EGRESS_DENIED when the egress policy
// refused the destination, ERR_RESPONSE_TOO_LARGE past the executor's size limit, and from 0.27 on
// ERR_BAD_REQUEST / ERR_BAD_RESPONSE for status errors (with name 'AxiosError').
//
// Version differences follow the loaded version: the User-Agent (axios/<version>), the JSON
// Content-Type (application/json;charset=utf-8 before 0.27, application/json from 0.27),
// isAxiosError/toJSON (0.19+), BOM stripping (0.20+), axios.isAxiosError (0.21.1+), axios.VERSION
// and error codes (0.27+).
//
// # Caveats
//
// responseType 'stream' is rejected with a clear error: bodies are delivered whole, within the size
// limit. CancelToken and AbortController signals, proxy, httpAgent/httpsAgent, socketPath, the
// XSRF options and upload/download progress are not supported (isCancel exists and reports
// false for ordinary errors). Redirects follow the executor's limit (10 by default) even when
// maxRedirects is higher; axios's own default is 21. Accept-Encoding: gzip is added when the rule
// sets none, and the response is decompressed transparently.
package axios
