// Test-module plumbing, after the OIDF suite's model: a module runs conditions; a condition that
// fails either stops the module (callAndStopOnFailure) or is recorded and the module goes on
// (callAndContinueOnFailure) with the result FAILURE or WARNING; a module may skip itself.

export class Skip extends Error {
	constructor(reason) {
		super(reason);
		this.name = "Skip";
	}
}

export class Stop extends Error {
	constructor(message) {
		super(message);
		this.name = "Stop";
	}
}

export class ModuleContext {
	constructor(name, { verbose = false } = {}) {
		this.name = name;
		this.verbose = verbose;
		this.failures = [];
		this.warnings = [];
		this.notes = [];
		this.steps = [];
	}

	/** A step of the module, shown with --verbose. */
	log(message) {
		this.steps.push(message);
		if (this.verbose) console.error(`  [${this.name}] ${message}`);
	}

	/** A remark kept with the result (e.g. which acceptable alternative the OP chose). */
	note(message) {
		this.notes.push(message);
		this.log(`note: ${message}`);
	}

	/** callAndContinueOnFailure(..., FAILURE) */
	fail(message) {
		this.failures.push(message);
		this.log(`FAILURE: ${message}`);
	}

	/** callAndContinueOnFailure(..., WARNING) */
	warn(message) {
		this.warnings.push(message);
		this.log(`WARNING: ${message}`);
	}

	/** callAndStopOnFailure */
	stop(message) {
		throw new Stop(message);
	}

	skip(reason) {
		throw new Skip(reason);
	}

	/** `condition` must hold; otherwise FAILURE (or the given level), and the module goes on. */
	expect(condition, message, level = "FAILURE") {
		if (condition) return true;
		if (level === "WARNING") this.warn(message);
		else if (level === "STOP") this.stop(message);
		else this.fail(message);
		return false;
	}

	/** Runs `fn`; an exception becomes a FAILURE / WARNING with `label` and the module goes on. */
	async soft(label, fn, level = "FAILURE") {
		try {
			return await fn();
		} catch (e) {
			if (e instanceof Skip || e instanceof Stop) throw e;
			const message = `${label}: ${describeError(e)}`;
			if (level === "WARNING") this.warn(message);
			else this.fail(message);
			return undefined;
		}
	}

	/** Runs `fn`; an exception stops the module with `label`. */
	async must(label, fn) {
		try {
			return await fn();
		} catch (e) {
			if (e instanceof Skip || e instanceof Stop) throw e;
			throw new Stop(`${label}: ${describeError(e)}`);
		}
	}
}

/** One line for any error, including oauth4webapi's coded errors and their causes. */
export function describeError(e) {
	if (!(e instanceof Error)) return String(e);
	let s = e.message;
	if (e.code && typeof e.code === "string") s = `${s} [${e.code}]`;
	if (e.error) s = `${s} (error=${e.error}${e.error_description ? `, error_description=${JSON.stringify(e.error_description)}` : ""})`;
	const cause = e.cause;
	if (cause instanceof URLSearchParams) {
		s = `${s} (${cause.toString()})`;
	} else if (cause instanceof Error) {
		s = `${s}; cause: ${describeError(cause)}`;
	} else if (cause && typeof cause === "object" && !(cause instanceof Response)) {
		const detail = {};
		for (const k of ["expected", "claim", "reason", "attribute", "body", "header"]) {
			if (k in cause) detail[k] = cause[k];
		}
		if (cause.claims && cause.claim) detail.actual = cause.claims[cause.claim];
		if (cause.parameters instanceof URLSearchParams) detail.parameters = cause.parameters.toString();
		if (Object.keys(detail).length) {
			const json = JSON.stringify(detail);
			s = `${s} ${json.length > 400 ? `${json.slice(0, 400)}…` : json}`;
		}
	}
	return s;
}

/** Final status of a module run, OIDF style. */
export function outcome(ctx, error) {
	if (error instanceof Skip) return { status: "SKIPPED", reason: error.message };
	if (error) {
		const message = error instanceof Stop ? error.message : `unexpected error: ${describeError(error)}`;
		return { status: "FAILED", reason: message, failures: [...ctx.failures, message], warnings: ctx.warnings };
	}
	if (ctx.failures.length) return { status: "FAILED", reason: ctx.failures[0], failures: ctx.failures, warnings: ctx.warnings };
	if (ctx.warnings.length) return { status: "WARNING", reason: ctx.warnings[0], failures: [], warnings: ctx.warnings };
	return { status: "PASSED", reason: ctx.notes.join("; "), failures: [], warnings: [] };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
