// Just enough HTML reading for the browser leg: the forms on a page, their attributes and inputs.
// Lanyard's pages are server-rendered templates, so a tolerant tag scanner is sufficient.

const NAMED = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

/** Decodes character references (named ones HTML templates emit, decimal and hex). */
export function decodeEntities(s) {
	return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref) => {
		if (ref[0] === "#") {
			const cp = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
			return Number.isFinite(cp) ? String.fromCodePoint(cp) : whole;
		}
		return Object.hasOwn(NAMED, ref) ? NAMED[ref] : whole;
	});
}

/** Attributes of one start tag's inner text (after the tag name), lower-cased names. */
function attributes(inner) {
	const attrs = new Map();
	const re = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
	let m;
	while ((m = re.exec(inner))) {
		const value = m[2] ?? m[3] ?? m[4] ?? "";
		attrs.set(m[1].toLowerCase(), decodeEntities(value));
	}
	return attrs;
}

/**
 * Every <form> of the page: { action, method, inputs: [{ name, value, type }], fields: Map } where
 * `fields` holds the values a browser would submit without user input (hidden and pre-filled).
 */
export function parseForms(html) {
	const forms = [];
	const formRe = /<form\b([^>]*)>([\s\S]*?)<\/form\s*>/gi;
	let f;
	while ((f = formRe.exec(html))) {
		const attrs = attributes(f[1]);
		const inputs = [];
		const inputRe = /<input\b([^>]*)>/gi;
		let i;
		while ((i = inputRe.exec(f[2]))) {
			const a = attributes(i[1]);
			if (!a.has("name")) continue;
			inputs.push({ name: a.get("name"), value: a.get("value") ?? "", type: (a.get("type") ?? "text").toLowerCase() });
		}
		const fields = new Map();
		for (const input of inputs) {
			if (!["submit", "button", "image", "reset", "file"].includes(input.type)) fields.set(input.name, input.value);
		}
		forms.push({
			action: attrs.get("action") ?? "",
			method: (attrs.get("method") ?? "get").toLowerCase(),
			inputs,
			fields,
		});
	}
	return forms;
}

/** The visible text of a page, for error messages in reports. */
export function pageText(html, max = 160) {
	const body = html.replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, " ");
	const text = decodeEntities(body.replace(/<[^>]+>/g, " ")).replace(/\s+/g, " ").trim();
	return text.length > max ? `${text.slice(0, max)}…` : text;
}
