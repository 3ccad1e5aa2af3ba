// openapi.js - checks HTTP responses against the OpenAPI document.
//
// A Contract is built from the document the server serves at
// /api/v1/openapi.json. For every response the tests look at, it finds the
// operation (path template + method), the response documented for that status
// and its JSON Schema, and validates the body with Ajv (JSON Schema 2020-12, the
// dialect of OpenAPI 3.1) in strict mode, so that a typo in the document fails
// as loudly as a wrong response. Requests that succeeded are checked against
// the documented request body too: the document must accept what the server
// accepts.
import assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const SCHEMA_PREFIX = '#/components/schemas/';
const URN = 'urn:unionbase:schemas:';

// Deep copy of v with "#/components/schemas/X" refs rewritten to URNs that
// name schemas registered one by one with Ajv.
function rewriteRefs(v) {
  if (Array.isArray(v)) return v.map(rewriteRefs);
  if (v && typeof v === 'object') {
    const out = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') {
        if (!x.startsWith(SCHEMA_PREFIX)) throw new Error(`unsupported $ref ${x}`);
        out[k] = URN + x.slice(SCHEMA_PREFIX.length);
      } else {
        out[k] = rewriteRefs(x);
      }
    }
    return out;
  }
  return v;
}

export const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

export class Contract {
  constructor(doc) {
    this.doc = doc;
    this.ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
    addFormats(this.ajv);
    for (const [name, schema] of Object.entries(doc.components?.schemas || {})) {
      this.ajv.addSchema(rewriteRefs(schema), URN + name);
    }
    this.validators = new Map();
    // Literal segments win over templated ones (/units/merge before /units/{code}).
    this.templates = Object.keys(doc.paths).map((t) => {
      const segs = t.split('/');
      const re = new RegExp('^' + segs.map((s) => (/^\{.+\}$/.test(s) ? '[^/]+'
        : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/') + '$');
      return { template: t, re, literal: segs.filter((s) => !/^\{.+\}$/.test(s)).length };
    }).sort((a, b) => b.literal - a.literal);
  }

  // Every schema in the document, compiled (throws on the first bad one).
  compileAll() {
    for (const name of Object.keys(this.doc.components?.schemas || {})) {
      this.ajv.getSchema(URN + name) || this.ajv.compile({ $ref: URN + name });
    }
    for (const { template, method, op } of this.operations()) {
      for (const status of Object.keys(op.responses)) {
        this.responseValidator(template, method, status);
      }
      if (op.requestBody) this.requestValidator(template, method);
    }
  }

  // [{template, method, op}] for every operation in the document.
  operations() {
    const out = [];
    for (const [template, item] of Object.entries(this.doc.paths)) {
      for (const m of METHODS) if (item[m]) out.push({ template, method: m, op: item[m] });
    }
    return out;
  }

  // The path template a concrete path matches (literal segments first) or null;
  // method given: a template that has the method wins, so GET /units/merge is
  // GET /units/{code} (a unit may be coded "merge").
  matchPath(pathname, method) {
    const m = method && method.toLowerCase();
    let first = null;
    for (const t of this.templates) {
      if (!t.re.test(pathname)) continue;
      if (!m || this.doc.paths[t.template][m]) return t.template;
      first ??= t.template;
    }
    return first;
  }

  resolve(obj) {
    let o = obj;
    while (o && o.$ref) {
      const parts = o.$ref.replace(/^#\//, '').split('/');
      o = parts.reduce((x, p) => x?.[p], this.doc);
      assert.ok(o, `unresolvable $ref ${obj.$ref}`);
    }
    return o;
  }

  compileContent(what, content) {
    const json = content?.['application/json'];
    assert.ok(json && json.schema, `${what}: no application/json schema`);
    return this.ajv.compile(rewriteRefs(json.schema));
  }

  responseValidator(template, method, status) {
    const key = `res ${method} ${template} ${status}`;
    if (!this.validators.has(key)) {
      const op = this.doc.paths[template][method];
      const r = op.responses[String(status)] || op.responses[`${String(status)[0]}XX`] || op.responses.default;
      const content = r ? this.resolve(r).content : null;
      // a download (a file, not JSON): checkBinary checks its type instead
      const binary = content && !content['application/json'] && Object.keys(content).length;
      this.validators.set(key, r ? (binary ? () => true : this.compileContent(key, content)) : null);
    }
    return this.validators.get(key);
  }

  requestValidator(template, method) {
    const key = `req ${method} ${template}`;
    if (!this.validators.has(key)) {
      const op = this.doc.paths[template][method];
      const content = op.requestBody ? this.resolve(op.requestBody).content : null;
      // a file uploaded as it is (application/octet-stream) has no schema to check
      const binary = content && !content['application/json'] && content['application/octet-stream'];
      this.validators.set(key, content && !binary ? this.compileContent(key, content) : null);
    }
    return this.validators.get(key);
  }

  componentResponseValidator(name) {
    const key = `component ${name}`;
    if (!this.validators.has(key)) {
      const r = this.doc.components.responses[name];
      assert.ok(r, `no components/responses/${name}`);
      this.validators.set(key, this.compileContent(key, r.content));
    }
    return this.validators.get(key);
  }

  // A download (a documented 2xx whose content is not JSON, a file): its
  // Content-Type must be one the document gives. Returns the template.
  checkBinary({ method, pathname, status, contentType }) {
    const m = method.toLowerCase();
    const where = `${method.toUpperCase()} ${pathname} -> ${status}`;
    const template = this.matchPath(pathname, m);
    assert.ok(template && this.doc.paths[template][m], `${where}: answered ${contentType}, not JSON, on an undocumented operation`);
    const op = this.doc.paths[template][m];
    const r = op.responses[String(status)];
    assert.ok(r, `${where}: status ${status} is not documented`);
    const types = Object.keys(this.resolve(r).content || {});
    const base = contentType.split(';')[0].trim().toLowerCase();
    assert.ok(types.includes(base), `${where}: Content-Type ${contentType} is not one of ${types.join(', ')}`);
    return template;
  }

  // Checks one exchange. Throws an AssertionError that says what differs.
  // Returns the operation's template (or null when no path matched).
  check({ method, pathname, status, body, requestBody }) {
    const m = method.toLowerCase();
    const where = `${method.toUpperCase()} ${pathname} -> ${status}`;
    const template = this.matchPath(pathname, m);
    let validate;
    if (!template) {
      assert.ok(status === 404 || status === 413,
        `${where}: the path is not in the OpenAPI document, yet the server answered ${status}`);
      validate = this.componentResponseValidator(status === 404 ? 'NotFound' : 'TooLarge');
    } else if (!this.doc.paths[template][m]) {
      assert.ok(status === 405 || status === 413,
        `${where}: ${m.toUpperCase()} is not documented for ${template}, yet the server answered ${status}`);
      validate = this.componentResponseValidator(status === 405 ? 'MethodNotAllowed' : 'TooLarge');
    } else {
      validate = this.responseValidator(template, m, status);
      assert.ok(validate, `${where}: status ${status} is not documented for ${m.toUpperCase()} ${template}`);
      if (status >= 200 && status < 300 && requestBody !== undefined) {
        const vreq = this.requestValidator(template, m);
        if (vreq && !vreq(requestBody)) {
          assert.fail(`${where}: the server accepted a request body the document rejects:\n` +
            this.ajv.errorsText(vreq.errors, { separator: '\n' }) + '\nbody: ' + JSON.stringify(requestBody));
        }
      }
    }
    if (!validate(body)) {
      assert.fail(`${where}: the response does not match the OpenAPI schema${template ? ' of ' + template : ''}:\n` +
        this.ajv.errorsText(validate.errors, { separator: '\n' }) +
        '\nbody: ' + JSON.stringify(body).slice(0, 2000));
    }
    return template;
  }
}
