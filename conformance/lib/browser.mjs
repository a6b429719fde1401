// The user-agent leg: plain fetch with a cookie jar for the OP's origin and manual redirects, so a
// redirect to the relying party is read from its Location header instead of being followed.

export class Browser {
	/** @param {string} origin the OP's origin; cookies are kept for it alone */
	constructor(origin) {
		this.origin = origin;
		this.cookies = new Map();
	}

	#remember(res) {
		for (const line of res.headers.getSetCookie()) {
			const [pair, ...attrs] = line.split(";");
			const eq = pair.indexOf("=");
			if (eq < 1) continue;
			const name = pair.slice(0, eq).trim();
			const value = pair.slice(eq + 1).trim();
			let expired = false;
			for (const a of attrs) {
				const [k, v = ""] = a.split("=");
				const key = k.trim().toLowerCase();
				if (key === "max-age" && Number(v.trim()) <= 0) expired = true;
				if (key === "expires" && Date.parse(v.trim()) <= Date.now()) expired = true;
			}
			if (expired || value === "") this.cookies.delete(name);
			else this.cookies.set(name, value);
		}
	}

	/**
	 * One HTTP exchange, no redirect following.
	 * @returns {Promise<{url: URL, method: string, status: number, headers: Headers, body: string, location: URL | null}>}
	 */
	async fetch(url, { method = "GET", form, headers } = {}) {
		const u = new URL(url);
		const h = new Headers(headers);
		h.set("user-agent", "lanyard-conformance/1 (+oauth4webapi)");
		h.set("accept", h.get("accept") ?? "text/html,application/xhtml+xml,*/*;q=0.8");
		if (u.origin === this.origin && this.cookies.size > 0) {
			h.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
		}
		let body;
		if (form !== undefined) {
			body = new URLSearchParams(form).toString();
			h.set("content-type", "application/x-www-form-urlencoded");
		}
		const res = await fetch(u, { method, headers: h, body, redirect: "manual" });
		if (u.origin === this.origin) this.#remember(res);
		const text = await res.text();
		const loc = res.headers.get("location");
		return { url: u, method, status: res.status, headers: res.headers, body: text, location: loc ? new URL(loc, u) : null };
	}

	hasCookie(name) {
		return this.cookies.has(name);
	}
}
