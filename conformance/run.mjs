#!/usr/bin/env node
// Lanyard's conformance runner: checks a live OpenID Provider the way the OpenID Foundation
// conformance suite's OP test modules do (Basic OP, Form Post OP, Config OP, RP-Initiated Logout
// OP), with oauth4webapi as the relying party and plain fetch as the browser.
//
//   node conformance/run.mjs <issuer-url> --setup setup.json [options]
//
// It does not start the OP: the setup file (written by conformance/setup.sh) names the clients,
// the user and the redirect URIs registered there. See conformance/README.md.

import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";

import { ModuleContext, describeError, outcome } from "./lib/harness.mjs";
import { Env } from "./lib/op.mjs";
import { basicModules, formPostModules } from "./modules/basic.mjs";
import { configModules } from "./modules/config.mjs";
import { fapi2Modules } from "./modules/fapi2.mjs";
import { lanyardModules } from "./modules/lanyard.mjs";
import { backchannelModules, logoutModules } from "./modules/logout.mjs";

const USAGE = `usage: node run.mjs <issuer-url> --setup <setup.json> [options]

options:
  --setup FILE            clients, user and redirect URIs registered at the OP (from setup.sh)
  --only a,b,...          run only these modules (exact names, or prefixes ending in *)
  --skip-slow             skip modules that wait (oidcc-codereuse-30seconds)
  --strict-scope-claims   expect every OIDF standard claim of a scope, even ones the OP does
                          not list in claims_supported
  --json FILE             also write the results as JSON
  --verbose               log every step to stderr
  --list                  print the module names and exit`;

const ALL = [...configModules, ...basicModules, ...formPostModules, ...logoutModules, ...backchannelModules, ...lanyardModules, ...fapi2Modules];
const TIMEOUT_MS = 150_000;
const SLOW_TIMEOUT_MS = 150_000;

function fatal(message) {
	console.error(`run.mjs: ${message}`);
	console.error(USAGE);
	process.exit(2);
}

function selected(only) {
	if (!only) return ALL;
	const wanted = only.split(",").map((s) => s.trim()).filter(Boolean);
	const match = (name) => wanted.some((w) => (w.endsWith("*") ? name.startsWith(w.slice(0, -1)) : name === w));
	const unknown = wanted.filter((w) => !w.endsWith("*") && !ALL.some((m) => m.name === w));
	if (unknown.length) fatal(`unknown module(s): ${unknown.join(", ")}`);
	return ALL.filter((m) => match(m.name));
}

async function runModule(module, env, opts) {
	const ctx = new ModuleContext(module.name, { verbose: opts.verbose });
	const started = Date.now();
	const limit = module.slow ? SLOW_TIMEOUT_MS : TIMEOUT_MS;
	let timer;
	let error;
	try {
		await Promise.race([
			module.run(ctx, env),
			new Promise((_, reject) => {
				timer = setTimeout(() => reject(new Error(`timed out after ${limit / 1000} s`)), limit);
			}),
		]);
	} catch (e) {
		error = e;
	} finally {
		clearTimeout(timer);
	}
	const result = outcome(ctx, error);
	return { module: module.name, ...result, notes: ctx.notes, seconds: (Date.now() - started) / 1000, steps: ctx.steps };
}

function printTable(results) {
	const width = Math.max(...results.map((r) => r.module.length), 6);
	const lines = [`${"module".padEnd(width)}  result`, `${"-".repeat(width)}  ${"-".repeat(7)}`];
	for (const r of results) {
		const why = r.status === "PASSED" ? "" : `  (${r.reason})`;
		lines.push(`${r.module.padEnd(width)}  ${r.status}${why}`);
	}
	console.log(lines.join("\n"));
	const bad = results.filter((r) => r.status === "FAILED" || r.status === "WARNING");
	if (bad.length) {
		console.log("\ndetails:");
		for (const r of bad) {
			console.log(`  ${r.module}: ${r.status}`);
			for (const f of r.failures ?? []) console.log(`    FAILURE: ${f}`);
			for (const w of r.warnings ?? []) console.log(`    WARNING: ${w}`);
			for (const n of r.notes ?? []) console.log(`    note: ${n}`);
		}
	}
}

async function main() {
	let parsed;
	try {
		parsed = parseArgs({
			allowPositionals: true,
			options: {
				setup: { type: "string" },
				only: { type: "string" },
				"skip-slow": { type: "boolean", default: false },
				"strict-scope-claims": { type: "boolean", default: false },
				json: { type: "string" },
				verbose: { type: "boolean", default: false },
				list: { type: "boolean", default: false },
				help: { type: "boolean", default: false },
			},
		});
	} catch (e) {
		fatal(e.message);
	}
	const { values: opts, positionals } = parsed;
	if (opts.help) {
		console.log(USAGE);
		return 0;
	}
	if (opts.list) {
		for (const m of ALL) console.log(m.name);
		return 0;
	}
	if (positionals.length !== 1) fatal("exactly one issuer URL is required");
	if (!opts.setup) fatal("--setup is required");
	let issuer;
	try {
		const u = new URL(positionals[0]);
		issuer = u.pathname === "/" && !positionals[0].endsWith("/") ? u.origin : positionals[0].replace(/\/$/, "");
	} catch {
		fatal(`not a URL: ${positionals[0]}`);
	}
	let setup;
	try {
		setup = JSON.parse(readFileSync(opts.setup, "utf8"));
	} catch (e) {
		fatal(`cannot read the setup file ${opts.setup}: ${e.message}`);
	}
	if (setup.issuer && setup.issuer.replace(/\/$/, "") !== issuer) {
		console.error(`run.mjs: note: the setup file was made for ${setup.issuer}, testing ${issuer}`);
	}

	const modules = selected(opts.only);
	const started = Date.now();
	let results;
	let env;
	try {
		env = await Env.create(issuer, setup, { verbose: opts.verbose });
		env.strictScopeClaims = opts["strict-scope-claims"];
	} catch (e) {
		const reason = `discovery of ${issuer} failed: ${describeError(e)}`;
		results = modules.map((m) => ({ module: m.name, status: "FAILED", reason, failures: [reason], warnings: [], notes: [] }));
	}

	if (env) {
		// Modules that mostly wait run alongside the others; everything else runs one at a time,
		// each in its own browser (cookie jar), against the same user.
		const byName = new Map();
		const background = modules
			.filter((m) => m.slow)
			.map((m) =>
				opts["skip-slow"]
					? Promise.resolve({ module: m.name, status: "SKIPPED", reason: "--skip-slow", notes: [] })
					: runModule(m, env, opts),
			)
			.map((p) => p.then((r) => byName.set(r.module, r)));
		for (const m of modules.filter((x) => !x.slow)) {
			const r = await runModule(m, env, opts);
			byName.set(m.name, r);
			if (opts.verbose) console.error(`${m.name}: ${r.status}${r.status === "PASSED" ? "" : ` (${r.reason})`}`);
		}
		await Promise.all(background);
		results = modules.map((m) => byName.get(m.name));
	}

	printTable(results);
	const passed = results.filter((r) => r.status === "PASSED").length;
	const failed = results.filter((r) => r.status === "FAILED" || r.status === "WARNING").length;
	const skipped = results.filter((r) => r.status === "SKIPPED").length;
	if (opts.json) {
		writeFileSync(opts.json, `${JSON.stringify({ issuer, seconds: (Date.now() - started) / 1000, results }, null, 2)}\n`);
	}
	console.log(`\nconformance: ${passed} passed, ${failed} failed, ${skipped} skipped`);
	return failed > 0 ? 1 : 0;
}

main().then(
	(code) => process.exit(code),
	(e) => {
		console.error(`run.mjs: ${e.stack ?? e}`);
		process.exit(2);
	},
);
