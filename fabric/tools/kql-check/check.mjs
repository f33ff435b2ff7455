#!/usr/bin/env node
// Analyses every KQL text of fabric/ with Microsoft's Kusto language service (fabric.md §7).
//
// The database schema starts from kql/schema.json (tables) and grows with every table, function
// and materialized view the scripts create, in script order, so a name used before it exists is an
// error. Texts the service sees only as string literals (ingestion mapping JSON, update-policy
// queries, batching policy JSON) are checked here: the JSON parses, mapped columns exist with the
// table's type, and an update-policy query analyses cleanly and yields exactly the target table's
// columns.
//
//   node check.mjs [--root DIR]            check fabric/ (default: ../.. from this file)
//   node check.mjs --root DIR --only F...  check only the given KQL files on top of schema.json
//
// Exit status 0 when no error diagnostic was found, 1 otherwise (each error printed as
// file:line:column: code message).

import { createRequire } from 'node:module';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

// The package's main entry alone fails in Node: the Bridge.NET runtime must be loaded first.
function loadKusto() {
    const pkg = dirname(require.resolve('@kusto/language-service-next/package.json'));
    require(join(pkg, 'bridge.min.js'));
    require(join(pkg, 'Kusto.Language.Bridge.min.js'));
    return { K: globalThis.Kusto.Language, System: globalThis.System };
}

const { K, System } = loadKusto();
const S = K.Symbols;

/** Splits a script into commands: a command starts at a line beginning with `.` outside braces. */
export function splitCommands(text) {
    const lines = text.split('\n');
    const commands = [];
    let current = null;
    let depth = 0;
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i];
        if (depth === 0 && line.startsWith('.')) {
            if (current) commands.push(current);
            current = { line: i + 1, lines: [] };
        }
        if (current) current.lines.push(line);
        depth += braceDelta(line);
        if (depth < 0) depth = 0;
    }
    if (current) commands.push(current);
    return commands.map((c) => ({ line: c.line, text: c.lines.join('\n').replace(/\s+$/, '') }));
}

// Brace balance of one line, ignoring string literals and `//` comments.
function braceDelta(line) {
    let delta = 0;
    let quote = null;
    for (let i = 0; i < line.length; i++) {
        const ch = line[i];
        if (quote) {
            if (ch === '\\' && quote !== "@'" && quote !== '@"') i++;
            else if (ch === quote[quote.length - 1]) quote = null;
            continue;
        }
        if (ch === '/' && line[i + 1] === '/') break;
        if (ch === '@' && (line[i + 1] === "'" || line[i + 1] === '"')) { quote = '@' + line[i + 1]; i++; continue; }
        if (ch === '"' || ch === "'") { quote = ch; continue; }
        if (ch === '{') delta++;
        else if (ch === '}') delta--;
    }
    return delta;
}

/** Splits a queryset into tabs at `// ---- name ----` lines. */
export function splitQueryset(text) {
    const lines = text.split('\n');
    const tabs = [];
    let current = null;
    lines.forEach((line, i) => {
        const m = /^\/\/ ---- (\S+) ----\s*$/.exec(line);
        if (m) {
            if (current) tabs.push(current);
            current = { name: m[1], line: i + 2, lines: [] };
        } else if (current) {
            current.lines.push(line);
        }
    });
    if (current) tabs.push(current);
    return tabs.map((t) => ({ name: t.name, line: t.line, text: t.lines.join('\n').trim() }));
}

function list(items) {
    const l = new (System.Collections.Generic.List$1(S.Symbol).ctor)();
    for (const it of items) l.add(it);
    return l;
}

function columnsOf(resultType) {
    const out = [];
    if (!resultType || !resultType.Columns) return out;
    const cols = resultType.Columns;
    for (let i = 0; i < cols.Count; i++) {
        const c = cols.getItem(i);
        out.push({ name: c.Name, type: c.Type.Name });
    }
    return out;
}

const schemaText = (cols) => '(' + cols.map((c) => `['${c.name}']:${c.type}`).join(', ') + ')';
const sameColumns = (a, b) => a.length === b.length && a.every((c, i) => c.name === b[i].name && c.type === b[i].type);
const showColumns = (cols) => cols.map((c) => `${c.name}:${c.type}`).join(', ');

/** The database as the scripts build it, with error collection. */
export class Checker {
    constructor(databaseName) {
        this.databaseName = databaseName;
        this.symbols = new Map(); // name -> symbol
        this.tables = new Map(); // name -> columns
        this.views = new Map(); // name -> columns
        this.functions = new Set();
        this.errors = [];
        this.globals = null;
    }

    error(file, line, message) {
        this.errors.push(`${file}:${line}: ${message}`);
    }

    register(name, symbol) {
        this.symbols.set(name, symbol);
        this.globals = null;
    }

    addTable(name, columns) {
        this.tables.set(name, columns);
        this.register(name, new S.TableSymbol.$ctor7(name, schemaText(columns), null));
    }

    addView(name, columns, query) {
        this.views.set(name, columns);
        this.register(name, new S.MaterializedViewSymbol.$ctor3(name, schemaText(columns), query, null));
    }

    addFunction(name, parameters, body) {
        this.functions.add(name);
        this.register(name, new S.FunctionSymbol.$ctor16(name, parameters, body, null));
    }

    globalState() {
        if (!this.globals) {
            const db = new S.DatabaseSymbol.$ctor1(this.databaseName, list(this.symbols.values()), false);
            this.globals = K.GlobalState.Default.WithDatabase(db);
        }
        return this.globals;
    }

    /** Analyses `text`; reports every error diagnostic at its file line; returns the result columns. */
    analyse(text, file, firstLine, what = '') {
        const code = K.KustoCode.ParseAndAnalyze(text, this.globalState());
        const diags = code.GetDiagnostics();
        for (let i = 0; i < diags.Count; i++) {
            const d = diags.getItem(i);
            if (d.Severity !== 'Error') continue;
            const before = text.slice(0, Math.max(0, d.Start));
            const line = firstLine + (before.match(/\n/g) || []).length;
            const column = before.length - before.lastIndexOf('\n');
            this.errors.push(`${file}:${line}:${column}: ${d.Code} ${d.Message}${what ? ` (in ${what})` : ''}`);
        }
        return columnsOf(code.ResultType);
    }

    /** One control command: analyse it, check what sits in its strings, register what it creates. */
    command(cmd, file) {
        const { text, line } = cmd;
        this.analyse(text, file, line);
        let m;
        if ((m = /^\.create-merge table (\w+) \((.*)\)\s*$/s.exec(text))) {
            const columns = m[2].split(',').map((p) => {
                const [name, type] = p.trim().split(':');
                return { name: name.trim(), type: type.trim() };
            });
            const known = this.tables.get(m[1]);
            if (known && !sameColumns(known, columns)) {
                this.error(file, line, `table ${m[1]} differs from schema.json: (${showColumns(columns)}) vs (${showColumns(known)})`);
            }
            if (!known) this.error(file, line, `table ${m[1]} is not in schema.json`);
            // Re-registering an identical table would only rebuild the global state (slow).
            if (!known || !sameColumns(known, columns)) this.addTable(m[1], columns);
        } else if ((m = /^\.create-or-alter function\s+(?:with\s*\((?:[^()"]|"[^"]*")*\)\s*)?(\w+)\s*\(/s.exec(text))) {
            const name = m[1];
            const open = m.index + m[0].length - 1;
            const close = matching(text, open, '(', ')');
            const braceOpen = text.indexOf('{', close);
            const braceClose = text.lastIndexOf('}');
            if (close < 0 || braceOpen < 0 || braceClose < braceOpen) {
                this.error(file, line, `function ${name}: cannot find its parameter list and body`);
                return;
            }
            this.addFunction(name, text.slice(open, close + 1), text.slice(braceOpen, braceClose + 1));
        } else if ((m = /^\.create(?:-or-alter)?(?: async)?(?: ifnotexists)? materialized-view\s+(?:with\s*\((?:[^()"]|"[^"]*")*\)\s*)?(\w+)\s+on\s+(table|materialized-view)\s+(\w+)\s*\{/s.exec(text))) {
            const [, name, kind, source] = m;
            const exists = kind === 'table' ? this.tables.has(source) : this.views.has(source);
            if (!exists) this.error(file, line, `materialized view ${name}: source ${kind} ${source} does not exist`);
            const query = text.slice(m.index + m[0].length, text.lastIndexOf('}')).trim();
            const columns = this.analyse(query, file, line, `view ${name} query`);
            const declared = this.views.get(name);
            if (declared && !sameColumns(declared, columns)) {
                this.error(file, line, `view ${name} differs from schema.json: (${showColumns(columns)}) vs (${showColumns(declared)})`);
            }
            if (columns.length === 0) this.error(file, line, `view ${name}: its query yields no columns`);
            this.addView(name, columns, query);
        } else if ((m = /^\.create-or-alter table (\w+) ingestion json mapping "(\w+)" '(.*)'\s*$/s.exec(text))) {
            this.mapping(m[1], m[2], m[3], file, line);
        } else if ((m = /^\.alter table (\w+) policy update @'(.*)'\s*$/s.exec(text))) {
            this.updatePolicy(m[1], m[2], file, line);
        } else if ((m = /^\.alter table (\w+) policy ingestionbatching @'(.*)'\s*$/s.exec(text))) {
            try {
                JSON.parse(m[2]);
            } catch (e) {
                this.error(file, line, `ingestion batching policy of ${m[1]} is not JSON: ${e.message}`);
            }
        } else if ((m = /^\.(?:set-or-append|append|set-or-replace) (\w+)(?: with \([^)]*\))? <\|(.*)$/s.exec(text))) {
            const target = this.tables.get(m[1]);
            if (!target) {
                this.error(file, line, `ingest target table ${m[1]} does not exist`);
                return;
            }
            const columns = this.analyse(m[2], file, line, 'ingest query (columns)');
            if (!sameColumns(columns, target)) {
                this.error(file, line, `query columns (${showColumns(columns)}) differ from table ${m[1]} (${showColumns(target)})`);
            }
        }
        const named = /^\.(?:alter|alter-merge) (table|materialized-view) (\w+) /.exec(text);
        if (named) {
            const exists = named[1] === 'table' ? this.tables.has(named[2]) : this.views.has(named[2]);
            if (!exists) this.error(file, line, `${named[1]} ${named[2]} does not exist`);
        }
    }

    mapping(table, name, json, file, line) {
        const columns = this.tables.get(table);
        if (!columns) return this.error(file, line, `mapping ${name}: table ${table} does not exist`);
        let entries;
        try {
            entries = JSON.parse(json);
        } catch (e) {
            return this.error(file, line, `mapping ${name} is not JSON: ${e.message}`);
        }
        if (!Array.isArray(entries)) return this.error(file, line, `mapping ${name} is not a JSON array`);
        const byName = new Map(columns.map((c) => [c.name, c.type]));
        const seen = new Set();
        for (const e of entries) {
            const type = byName.get(e.column);
            if (type === undefined) this.error(file, line, `mapping ${name}: column ${e.column} is not in table ${table}`);
            else if (e.datatype !== type) this.error(file, line, `mapping ${name}: column ${e.column} is ${type}, mapped as ${e.datatype}`);
            if (!/^\$(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(e.path || '')) this.error(file, line, `mapping ${name}: bad path ${e.path} for ${e.column}`);
            if (seen.has(e.column)) this.error(file, line, `mapping ${name}: column ${e.column} mapped twice`);
            seen.add(e.column);
        }
    }

    updatePolicy(table, json, file, line) {
        const target = this.tables.get(table);
        if (!target) return this.error(file, line, `update policy: table ${table} does not exist`);
        let policies;
        try {
            policies = JSON.parse(json);
        } catch (e) {
            return this.error(file, line, `update policy of ${table} is not JSON: ${e.message}`);
        }
        for (const p of policies) {
            if (!this.tables.has(p.Source)) this.error(file, line, `update policy of ${table}: source table ${p.Source} does not exist`);
            const columns = this.analyse(p.Query, file, line, `update policy query of ${table}`);
            if (!sameColumns(columns, target)) {
                this.error(file, line, `update policy of ${table}: query yields (${showColumns(columns)}), table has (${showColumns(target)})`);
            }
        }
    }

    script(path, label) {
        for (const cmd of splitCommands(readFileSync(path, 'utf8'))) this.command(cmd, label);
    }

    query(text, label, line, what) {
        if (!text.trim()) return this.error(label, line, `${what}: empty query`);
        const columns = this.analyse(text, label, line, what);
        if (columns.length === 0) this.error(label, line, `${what}: the query yields no columns`);
    }
}

function matching(text, open, left, right) {
    let depth = 0;
    for (let i = open; i < text.length; i++) {
        if (text[i] === left) depth++;
        else if (text[i] === right && --depth === 0) return i;
    }
    return -1;
}

/** Loads schema.json into a fresh checker (tables only: views come from the scripts). */
export function checkerFromSchema(schemaPath) {
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
    const checker = new Checker(schema.database);
    for (const t of schema.tables) checker.addTable(t.name, t.columns);
    checker.declaredViews = schema.views || [];
    return checker;
}

function sortedFiles(dir, ext) {
    if (!existsSync(dir)) return [];
    return readdirSync(dir).filter((f) => f.endsWith(ext)).sort().map((f) => join(dir, f));
}

/** Checks the whole fabric/ tree; returns the checker with its errors. */
export function checkFabric(root) {
    const rel = (p) => relative(resolve(root, '..'), p);
    const kqlDir = join(root, 'kql');
    const checker = checkerFromSchema(join(kqlDir, 'schema.json'));
    const scripts = sortedFiles(kqlDir, '.kql');
    for (const path of scripts) checker.script(path, rel(path));
    for (const v of checker.declaredViews) {
        const made = checker.views.get(v.name);
        if (!made) checker.error(rel(join(kqlDir, 'schema.json')), 1, `view ${v.name} is declared but no script creates it`);
        else if (!sameColumns(made, v.columns)) checker.error(rel(join(kqlDir, 'schema.json')), 1, `view ${v.name}: columns differ from its script`);
    }
    for (const path of sortedFiles(join(root, 'querysets'), '.kql')) {
        const tabs = splitQueryset(readFileSync(path, 'utf8'));
        if (tabs.length === 0) checker.error(rel(path), 1, 'no `// ---- name ----` tabs');
        for (const tab of tabs) checker.query(tab.text, rel(path), tab.line, `query ${tab.name}`);
    }
    for (const path of sortedFiles(join(root, 'dashboards'), '.json')) {
        const dash = JSON.parse(readFileSync(path, 'utf8'));
        const queries = new Map((dash.queries || []).map((q) => [q.id, q]));
        // A base query defines a variable every tile query may use: `let <variable> = <text>;`.
        const baseIds = new Set();
        const lets = [];
        for (const b of dash.baseQueries || []) {
            const q = queries.get(b.queryId);
            if (!q) checker.error(rel(path), 1, `base query ${b.id}: query ${b.queryId} does not exist`);
            else lets.push(`let ${b.variableName} = ${q.text};`);
            baseIds.add(b.queryId);
        }
        const prefix = lets.join('\n');
        const prefixLines = lets.length;
        for (const t of dash.tiles || []) {
            const q = queries.get(t.queryRef && t.queryRef.queryId);
            if (!q) checker.error(rel(path), 1, `tile ${t.id}: its query does not exist`);
        }
        for (const q of dash.queries || []) {
            if (baseIds.has(q.id)) continue;
            checker.query(prefix ? `${prefix}\n${q.text}` : q.text, rel(path), 1 - prefixLines, `dashboard query ${q.id}`);
        }
    }
    const rulesPath = join(root, 'activator', 'rules.json');
    if (existsSync(rulesPath)) {
        const rules = JSON.parse(readFileSync(rulesPath, 'utf8'));
        for (const r of rules.rules || []) {
            checker.query(r.source.query, rel(rulesPath), 1, `activator rule ${r.name}`);
            if (!checker.functions.has(r.function)) checker.error(rel(rulesPath), 1, `rule ${r.name}: function ${r.function} does not exist`);
        }
    }
    checker.scriptCount = scripts.length;
    return checker;
}

function main(argv) {
    let root = resolve(here, '..', '..');
    let only = null;
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === '--root') root = resolve(argv[++i]);
        else if (argv[i] === '--only') only = argv.slice(i + 1);
    }
    let checker;
    if (only) {
        checker = checkerFromSchema(join(root, 'kql', 'schema.json'));
        for (const f of only) checker.script(resolve(f), f);
    } else {
        checker = checkFabric(root);
    }
    for (const e of checker.errors) console.error(e);
    if (checker.errors.length > 0) {
        console.error(`kql-check: ${checker.errors.length} error(s)`);
        return 1;
    }
    console.log(`kql-check: ok (${checker.tables.size} tables, ${checker.views.size} materialized views, ${checker.functions.size} functions analysed, 0 errors)`);
    return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    process.exitCode = main(process.argv.slice(2));
}
