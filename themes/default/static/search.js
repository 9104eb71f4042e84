// Search in the browser: the query language and evaluation of generator/search/query.py over
// the files `gen build` writes under search/ (layout: generator/search/index.py). Drives the
// search page (#search, data-search-root = URL of search/). No globals; never innerHTML.
(() => {
  "use strict";
  const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const DIGIT = new Map([...ALPHABET].map((c, i) => [c, i]));
  const MAX_EXPANSIONS = 12;
  const COMMON_FRACTION = 0.5; // a word in more cables than this share selects none (query.py)
  const IDF_SCALE = 16; // term weights are idf in 16ths (index.py's term_weight)
  const PAGE_BATCH = 10; // cable pages fetched at once to check phrases
  const PAGE_BUDGET = 50; // pages fetched per search call at most; "more results" goes on
  const REFERENCE = /^\s*(\d{2})[\s-]*([A-Za-z][A-Za-z\s-]*?)[\s-]*0*(\d{1,7})\s*$/;
  const FILTER = /^(tag|origin|post|classification|class|year):(.+)$/i;

  // -- tokens and encoding: generator/search/tokens.py, encoding.py ------------------------
  const normalise = (text) => text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
  const tokens = (text) =>
    (normalise(text).match(/[a-z0-9]+/g) || []).filter((t) => t.length <= 40);
  const shardKey = (term) => term.slice(0, 3);
  const filterSlug = (value) =>
    value.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "_";
  const referenceTerm = (text) => {
    const m = REFERENCE.exec(text);
    return m && m[1] + m[2].toLowerCase().replace(/[^a-z]/g, "") + Number(m[3]);
  };
  const decode = (text) => {
    const numbers = [];
    let value = 0;
    let shift = 0;
    for (const char of text) {
      const digit = DIGIT.get(char);
      if (digit === undefined) throw new Error("bad index data");
      value += (digit & 31) * 2 ** shift;
      if (digit & 32) shift += 5;
      else { numbers.push(value); value = shift = 0; }
    }
    return numbers;
  };
  const decodeSorted = (text) => {
    let total = 0;
    return decode(text).map((delta) => (total += delta));
  };

  // -- parsing: query.py parse() -------------------------------------------------------------
  const parse = (text, prefixLast = false) => {
    const query = { groups: [], phrases: [], filters: new Map(), years: null,
      reference: referenceTerm(text) };
    // A filter with a quoted value (origin:"la paz"), a quoted phrase, or a word.
    const parts = [...text.matchAll(/(\w+:"[^"]*"?)|"([^"]*)"?|(\S+)/g)];
    parts.forEach(([, quotedFilter, phrase, bareWord], position) => {
      const word = quotedFilter || bareWord;
      if (phrase !== undefined) {
        const words = tokens(phrase);
        if (words.length) query.phrases.push(words);
        query.groups.push(...words);
        return;
      }
      const filter = FILTER.exec(word);
      if (filter) {
        const kind = { post: "origin", class: "classification" }[filter[1].toLowerCase()]
          || filter[1].toLowerCase();
        const years = kind === "year" && filter[2].match(/\d{4}/g);
        if (years) {
          const ends = [Number(years[0]), Number(years[years.length - 1])];
          query.years = [Math.min(...ends), Math.max(...ends)];
        } else if (kind !== "year") {
          const value = filter[2].replace(/^"|"$/g, "");
          query.filters.set(kind, [...(query.filters.get(kind) || []), value]);
        }
        return;
      }
      const words = tokens(word);
      const prefix = word.endsWith("*")
        || (prefixLast && position === parts.length - 1 && !text.endsWith(" "));
      words.forEach((term, i) =>
        query.groups.push(prefix && i === words.length - 1 ? term + "*" : term));
    });
    return query;
  };

  // -- page texts: query.py page_texts() ----------------------------------------------------
  // The texts a phrase is checked against: of each outermost element marked data-search-text,
  // else of <main>; every tag and comment is a word break, as in the text the index was built
  // from. The browser parses the page with DOMParser. Without one (Node.js, in the tests) the
  // markup is scanned as query.py's html.parser does; it decodes only the character references
  // gen writes (numeric, amp, lt, gt, quot, apos, nbsp).
  const domTexts = (html) => {
    const doc = new DOMParser().parseFromString(html, "text/html");
    const text = (element) => {
      const parts = [];
      const walker = doc.createTreeWalker(element, NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) parts.push(walker.currentNode.data);
      return parts.join(" ");
    };
    const marked = [...doc.querySelectorAll("[data-search-text]")]
      .filter((element) => !element.parentElement?.closest("[data-search-text]"));
    const main = doc.querySelector("main");
    return marked.length ? marked.map(text) : main ? [text(main)] : [];
  };
  const VOID = new Set("area base br col embed hr img input link meta source track wbr".split(" "));
  const NAMED = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };
  const decodeReferences = (text) => text.replace(/&(#[xX][0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g,
    (whole, name) => {
      if (name[0] !== "#") return NAMED[name] ?? whole;
      const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16)
        : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
        ? String.fromCodePoint(code) : "\ufffd";
    });
  // a comment; a tag: end mark, name, attributes; a declaration or processing instruction
  const MARKUP = new RegExp(String.raw`<!--[\s\S]*?(?:-->|$)`
    + String.raw`|<(\/?)([a-zA-Z][^\s/>]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|<[!?/][^>]*>`, "g");
  const ATTRIBUTE = /([^\s"'>/=]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?/g;
  const scanTexts = (html) => {
    const open = []; // names of the open elements
    let marking = null; // [depth, parts] of the open marked element
    let inMain = null;
    const marked = [];
    let main = null;
    const collect = (text) => {
      for (const c of [marking, inMain]) if (c) c[1].push(text);
    };
    const finish = (depth) => {
      if (marking && marking[0] > depth) {
        marked.push(marking[1].join(""));
        marking = null;
      }
      if (inMain && inMain[0] > depth) {
        main = inMain[1].join("");
        inMain = null;
      }
    };
    const markup = new RegExp(MARKUP);
    let done = 0;
    for (let match; (match = markup.exec(html));) {
      collect(decodeReferences(html.slice(done, match.index)));
      done = markup.lastIndex;
      collect(" ");
      const [, end, name, attributes] = match;
      if (name === undefined) continue; // a comment or declaration
      const tag = name.toLowerCase();
      if (end) {
        const at = open.lastIndexOf(tag);
        if (at >= 0) {
          open.length = at;
          finish(at);
        }
        continue;
      }
      const isMarked = !marking && [...attributes.matchAll(ATTRIBUTE)]
        .some(([, attribute]) => attribute.toLowerCase() === "data-search-text");
      if (VOID.has(tag)) {
        if (isMarked) marked.push("");
        continue;
      }
      open.push(tag);
      if (isMarked) marking = [open.length, []];
      if (tag === "main" && main === null && !inMain) inMain = [open.length, []];
      if (tag === "script" || tag === "style") { // raw text up to its end tag
        const close = html.slice(done).search(new RegExp(`</${tag}[\\s/>]`, "i"));
        const stop = close < 0 ? html.length : done + close;
        collect(html.slice(done, stop));
        markup.lastIndex = done = stop;
      }
    }
    collect(decodeReferences(html.slice(done)));
    finish(0); // elements left open end with the page
    return marked.length ? marked : main !== null ? [main] : [];
  };
  const pageTexts = typeof DOMParser === "function" ? domTexts : scanTexts;

  // -- evaluation: query.py Searcher ---------------------------------------------------------
  // fetchText(path) -> Promise of the text of search/<path>, or null if there is no such file.
  const createEngine = (fetchText) => {
    const cache = new Map();
    const pages = new Map(); // doc id -> promise of its page texts' tokens (pageTokens)
    const load = (path, json = true) => {
      const key = json + path;
      if (!cache.has(key)) {
        const promise = json ? load(path, false).then((t) => (t === null ? null : JSON.parse(t)))
          : fetchText(path);
        promise.catch(() => cache.delete(key)); // a failed file is fetched again next time
        cache.set(key, promise);
      }
      return cache.get(key);
    };
    const meta = async () => {
      const m = await load("meta.json");
      if (!m) throw new Error("no search index (search/meta.json)");
      return m;
    };
    // The term file of a term or prefix. A file that grew too big was split by one more
    // character: it holds "*" (the most frequent terms it would hold) and the terms equal to
    // its key; longer ones are in the file of their next character.
    const shard = async (text) => {
      let key = shardKey(text);
      let terms = (await load(`t/${key[0]}/${key}.json`)) || {};
      while (Object.hasOwn(terms, "*") && text.length > key.length) {
        key = text.slice(0, key.length + 1);
        terms = (await load(`t/${key[0]}/${key}.json`)) || {};
      }
      return terms;
    };
    // doc -> score of one tier of a term's postings: impact times the term's weight
    const postings = (encoded, weight = 1) => {
      const [ids, impacts = ""] = encoded.split(".");
      const values = decode(impacts);
      const docs = decodeSorted(ids);
      if (docs.length !== values.length) throw new Error("bad index data");
      return new Map(docs.map((doc, i) => [doc, weight * values[i]]));
    };
    const tier = async (term, n, weight) => postings(
      (await load(`p/${term[0]}/${shardKey(term)}/${term}.${n}.txt`, false)) ?? ".", weight);
    const termWeight = (df, docs) =>
      Math.max(1, Math.floor(Math.log(1 + (docs - df + 0.5) / (df + 0.5)) * IDF_SCALE + 0.5));
    const merge = (lists) => {
      const merged = new Map();
      for (const list of lists) {
        for (const [doc, value] of list) if (value > (merged.get(doc) || 0)) merged.set(doc, value);
      }
      return merged;
    };
    // [[term, [df, tier 0, tiers]]] of a word, or of a prefix's most frequent terms
    const expand = async (word) => {
      const prefix = word.endsWith("*") && word.slice(0, -1);
      if (prefix === false) {
        const terms = await shard(word);
        return Object.hasOwn(terms, word) ? [[word, terms[word]]] : [];
      }
      const terms = prefix ? await shard(prefix) : {};
      // a split file is only reached by its own key: this prefix
      if (Object.hasOwn(terms, "*")) return terms["*"].slice(0, MAX_EXPANSIONS);
      return Object.entries(terms).filter(([term]) => term.startsWith(prefix))
        .sort((a, b) => b[1][0] - a[1][0] || (a[0] < b[0] ? -1 : 1)).slice(0, MAX_EXPANSIONS);
    };
    const filterSet = async (kind, values) => {
      const ids = new Set();
      for (const value of values) {
        let slugs = [filterSlug(value)];
        if (kind === "origin") { // a post by any part of its name
          const wanted = normalise(value);
          slugs = Object.entries((await load("origins.json")) || {})
            .filter(([name]) => normalise(name).includes(wanted)).map(([, slug]) => slug);
        }
        const texts = await Promise.all(
          slugs.map((slug) => load(`f/${kind}/${slug[0]}/${slug}.txt`, false)));
        for (const text of texts) for (const id of decodeSorted(text || "")) ids.add(id);
      }
      return ids;
    };
    // Doc ids the filters allow, or null. Values of one kind in the box are alternatives (as
    // in query.py); each of `extra` ([kind, value] from the form) and `range` narrows further.
    const allowedIds = async (query, extra, range) => {
      const sets = await Promise.all([...query.filters, ...extra.map(([k, v]) => [k, [v]])]
        .map(([kind, values]) => filterSet(kind, values)));
      let years = query.years;
      if (range) {
        years = years ? [Math.max(years[0], range[0]), Math.min(years[1], range[1])] : range;
      }
      if (years) {
        sets.push(await filterSet("year", (await meta()).years
          .filter((year) => /^\d+$/.test(year) && years[0] <= year && year <= years[1])));
      }
      if (!sets.length) return null;
      const [first, ...rest] = sets.sort((a, b) => a.size - b.size);
      return new Set([...first].filter((id) => rest.every((set) => set.has(id))));
    };
    // The groups that select and score cables, each with its terms, the tiers to read of each,
    // and its tier-0 postings; null when a word is in no cable. `terms` gets every group's
    // terms, for highlighting.
    const prepare = async (query, terms) => {
      const { docs } = await meta();
      const expansions = await Promise.all(query.groups.map(expand));
      const groups = [];
      for (const [i, expanded] of expansions.entries()) {
        if (!expanded.length) return null;
        terms.push(...expanded.map(([term]) => term));
        const word = query.groups[i].replace(/\*$/, "");
        groups.push({
          // [term, entry, tiers to read, weight]; a prefix's other terms give their best
          // cables only: typing stays cheap
          terms: expanded.map(([term, e]) =>
            [term, e, term === word ? e[2] : 1, termWeight(e[0], docs)]),
          common: expanded.every(([, e]) => e[0] > docs * COMMON_FRACTION),
        });
      }
      const selecting = groups.filter((g) => !g.common);
      return (selecting.length ? selecting : groups).map((g) =>
        ({ ...g, tier: 0, postings: merge(g.terms.map(([, e, , w]) => postings(e[1], w))) }));
    };
    // The cables in every group's postings read so far, with their scores
    const candidates = (groups, allowed) => {
      const [smallest, ...others] = [...groups].sort((a, b) => a.postings.size - b.postings.size);
      return new Map([...smallest.postings.keys()]
        .filter((doc) => others.every((g) => g.postings.has(doc)) && (!allowed || allowed.has(doc)))
        .map((doc) => [doc, groups.reduce((sum, g) => sum + g.postings.get(doc), 0)]));
    };
    const rank = (scores, sort) => [...scores.keys()].sort(sort === "date" ? (a, b) => b - a
      : (a, b) => scores.get(b) - scores.get(a) || b - a);
    // Promise of a cable page's texts as " token token … ", fetched once
    const pageTokens = (doc) => {
      if (!pages.has(doc)) {
        const promise = (async () => {
          const [m, { url }] = await Promise.all([meta(), result(doc, 0)]);
          const html = await fetchText("../" + url.slice((m.root ?? "/").length));
          return html === null ? [] : pageTexts(html).map((text) => ` ${tokens(text).join(" ")} `);
        })();
        promise.catch(() => pages.delete(doc)); // a failed page is fetched again next time
        pages.set(doc, promise);
      }
      return pages.get(doc);
    };
    // whether each phrase's tokens are consecutive in one of a page's texts
    const holds = (page, phrases) =>
      phrases.every((phrase) => page.some((text) => text.includes(` ${phrase.join(" ")} `)));
    // The first `wanted` cables of `ranked` whose pages hold every phrase, fetching pages a
    // batch at a time while fewer than `budgetEnd` are known; and whether it stopped at a page
    // it could not fetch within that budget.
    const verify = async (ranked, phrases, wanted, budgetEnd) => {
      const matches = [];
      for (const [position, doc] of ranked.entries()) {
        if (matches.length >= wanted) break;
        if (!pages.has(doc)) {
          const room = Math.min(PAGE_BATCH, budgetEnd - pages.size);
          if (room <= 0) return { matches, stopped: true };
          const batch = ranked.slice(position).filter((d) => !pages.has(d)).slice(0, room);
          await Promise.all(batch.map(pageTokens));
        }
        if (holds(await pages.get(doc), phrases)) matches.push(doc);
      }
      return { matches, stopped: false };
    };
    // Read tiers, best impacts first, until `wanted` cables have every word (and, with a
    // phrase, were checked to have it): {scores, chosen, total, complete (total is exact)}.
    const evaluate = async (query, groups, allowed, sort, offset, wanted) => {
      const phrases = query.phrases.filter((phrase) => phrase.length > 1);
      const budgetEnd = pages.size + PAGE_BUDGET;
      let scores, ranked, more, verified;
      for (;;) {
        scores = candidates(groups, allowed);
        ranked = rank(scores, sort);
        more = groups.filter((g) => g.terms.some(([, , reads]) => g.tier + 1 < reads));
        if (phrases.length) {
          verified = await verify(ranked, phrases, wanted, budgetEnd);
          if (verified.matches.length >= wanted || verified.stopped || !more.length) break;
        } else if (ranked.length >= wanted || !more.length) {
          break;
        }
        await Promise.all(more.map(async (g) => { // the next tier of every word that has one
          const n = ++g.tier;
          const lists = await Promise.all(
            g.terms.filter(([, , reads]) => n < reads).map(([term, , , w]) => tier(term, n, w)));
          g.postings = merge([g.postings, ...lists]);
        }));
      }
      if (!phrases.length) {
        return { scores, chosen: ranked.slice(offset, wanted), total: ranked.length,
          complete: !more.length };
      }
      const checked = await Promise.all(ranked.filter((doc) => pages.has(doc))
        .map((doc) => pages.get(doc)));
      return { scores, chosen: verified.matches.slice(offset, wanted),
        total: checked.filter((page) => holds(page, phrases)).length,
        complete: !more.length && checked.length === ranked.length };
    };
    const result = async (doc, score) => {
      const m = await meta();
      const n = Math.floor(doc / 2 ** m.shard_bits);
      const record = ((await load(`d/${Math.floor(n / m.shards_per_folder)}/${n}.json`)) || {})[
        doc];
      if (!record) throw new Error(`no result data for document ${doc}`);
      const [referenceId, url, subject, date, origin, classification, excerpt] = record;
      return { doc, score, referenceId, url, subject, date, origin, classification, excerpt };
    };
    const jump = async (term) => {
      const terms = await shard(term);
      if (!Object.hasOwn(terms, term) || terms[term][0] < 1) return null;
      for (const doc of postings(terms[term][1]).keys()) {
        const found = await result(doc, 0);
        if (found.referenceId.toLowerCase().replace(/[^a-z0-9]/g, "") === term) return found.url;
      }
      return null;
    };
    // {total (a lower bound unless complete), complete, results, terms (matched, to highlight),
    //  jump (URL of the cable a reference ID names, or null)}
    const search = async (text, { prefixLast = false, sort = "relevance", offset = 0,
      limit = 10, filters = [], years = null } = {}) => {
      await meta();
      const query = parse(text, prefixLast);
      const jumping = query.reference ? jump(query.reference) : null;
      const allowed = await allowedIds(query, filters, years);
      const wanted = offset + limit;
      const terms = [];
      let answer;
      if (!query.groups.length) {
        const scores = new Map([...(allowed || [])].map((doc) => [doc, 0]));
        const ranked = rank(scores, sort);
        answer = { scores, chosen: ranked.slice(offset, wanted), total: ranked.length,
          complete: true };
      } else {
        const groups = await prepare(query, terms);
        answer = groups ? await evaluate(query, groups, allowed, sort, offset, wanted)
          : { scores: new Map(), chosen: [], total: 0, complete: true };
      }
      const { scores, chosen, total, complete } = answer;
      const results = await Promise.all(chosen.map((doc) => result(doc, scores.get(doc))));
      return { total, complete, results, terms, jump: await jumping };
    };
    return { search, load };
  };

  // [start, end, token] of each token of `text`, in the text's own indices (for <mark>)
  const tokenSpans = (text) => {
    const spans = [];
    let token = "";
    let start = 0;
    let end = 0;
    let index = 0;
    for (const char of text) {
      const next = index + char.length;
      const normal = normalise(char);
      if (!normal && token) end = next; // a combining mark inside a word
      for (const c of normal) {
        if (/[a-z0-9]/.test(c)) {
          if (!token) start = index;
          token += c;
          end = next;
        } else if (token) {
          spans.push([start, end, token]);
          token = "";
        }
      }
      index = next;
    }
    if (token) spans.push([start, end, token]);
    return spans.filter((span) => span[2].length <= 40);
  };

  if (typeof module === "object" && module && module.exports) { // for tests under Node.js
    module.exports = { tokens, referenceTerm, filterSlug, parse, createEngine, tokenSpans,
      domTexts, scanTexts };
  }
  const box = typeof document === "object" && document.getElementById("search");
  if (!box || !box.dataset.searchRoot) return;

  // -- the search page -----------------------------------------------------------------------
  const root = new URL(box.dataset.searchRoot, document.baseURI);
  const form = box.querySelector("form");
  const field = (name) => form.elements.namedItem(name);
  const [status, list, more, jumpLine] = ["status", "results", "more", "jump"]
    .map((id) => document.getElementById("search-" + id));
  const title = document.title;
  const engine = createEngine(async (path) => {
    const response = await fetch(new URL(path, root));
    const text = await response.text(); // read even a 404 to the end: no aborted requests
    if (response.status === 404) return null;
    if (!response.ok) throw new Error(`HTTP ${response.status} for ${path}`);
    return text;
  });
  const el = (tag, className, ...children) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    node.append(...children);
    return node;
  };

  const state = () => {
    const value = (name) => field(name).value.trim();
    const year = (name) => (/^\d{1,4}$/.test(value(name)) ? Number(value(name)) : null);
    return { q: field("q").value.trimStart(), sort: value("sort") === "date" ? "date" : "relevance",
      tag: value("tag"), origin: value("origin"), classification: value("classification"),
      from: year("from"), to: year("to") };
  };
  const key = (s) => JSON.stringify([s.q, s.sort, s.tag, s.origin, s.classification, s.from, s.to]);
  const isEmpty = (s) => !s.q.trim() && !s.tag && !s.origin && !s.classification
    && s.from === null && s.to === null;

  // `text` with its tokens that are in `terms` marked
  const highlight = (parent, text, terms) => {
    let done = 0;
    for (const [start, end, token] of tokenSpans(text)) {
      if (!terms.has(token) || start < done) continue;
      parent.append(text.slice(done, start), el("mark", "", text.slice(start, end)));
      done = end;
    }
    parent.append(text.slice(done));
    return parent;
  };
  const render = (r, terms) => {
    const link = r.subject ? highlight(el("a", "entry-link"), r.subject, terms)
      : el("a", "entry-link", el("span", "refid", r.referenceId), " ",
        el("span", "muted", "(no subject)"));
    link.href = r.url;
    const meta = el("span", "entry-meta");
    if (r.subject) meta.append(el("span", "refid", r.referenceId));
    const time = el(r.date ? "time" : "span", "", r.date || "undated");
    if (r.date) time.dateTime = r.date;
    meta.append(time);
    if (r.origin) meta.append(el("span", "", r.origin));
    if (r.classification) {
      const cls = "cls cls-" + r.classification.toLowerCase().replace(/\/\/?| /g, "-");
      meta.append(el("span", cls, r.classification));
    }
    const item = el("li", "entry search-result", link, meta);
    if (r.excerpt) item.append(highlight(el("p", "search-excerpt"), r.excerpt, terms));
    return item;
  };

  let sequence = 0;
  let shown = new Set(); // doc ids on the page
  let slow = 0;
  const show = (s, answer, append) => {
    const terms = new Set(answer.terms);
    if (!append) {
      list.replaceChildren();
      shown = new Set();
    }
    for (const r of answer.results) {
      if (!shown.has(r.doc)) list.append(render(r, terms));
      shown.add(r.doc);
    }
    const total = Math.max(answer.total, shown.size);
    const count = total === 1 ? "1 cable matches" : `${total.toLocaleString("en")} cables match`;
    const order = s.sort === "date" ? "newest" : "best";
    status.textContent = total ? `${answer.complete ? "" : "At least "}${count}, ${order} first.`
      : `No cable matches ${s.q.trim() ? `“${s.q.trim()}”` : "these filters"}.`;
    more.hidden = shown.size >= total && answer.complete;
    jumpLine.replaceChildren();
    jumpLine.hidden = !answer.jump;
    if (answer.jump) {
      const link = el("a", "", "Go to the cable ", el("span", "refid", s.q.trim()));
      link.href = answer.jump;
      jumpLine.append(link);
    }
  };

  // Search for what the form holds; resolves to the answer, or null (empty, stale or failed).
  const run = async (append = false) => {
    const s = state();
    const mine = ++sequence;
    clearTimeout(slow);
    if (!append) {
      const query = String(new URLSearchParams(Object.entries(s).filter(([k, v]) => v !== null
        && (k === "q" ? v.trim() : v !== "" && !(k === "sort" && v === "relevance")))));
      history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
      document.title = s.q.trim() ? `${s.q.trim()} · ${title}` : title;
    }
    let answer = null;
    let failure = null;
    if (isEmpty(s)) {
      list.replaceChildren();
      shown = new Set();
      status.textContent = "";
      more.hidden = jumpLine.hidden = true;
    } else {
      slow = setTimeout(() => { status.textContent = "Searching…"; }, 150);
      list.setAttribute("aria-busy", "true");
      try {
        const filters = ["tag", "origin", "classification"].filter((k) => s[k])
          .map((k) => [k, s[k]]);
        const years = s.from === null && s.to === null ? null : [s.from ?? 0, s.to ?? 9999];
        answer = await engine.search(s.q, { prefixLast: true, sort: s.sort, filters, years,
          limit: (append ? shown.size : 0) + 10 });
        if (mine === sequence) show(s, answer, append);
      } catch (error) {
        failure = String(error && error.message || error);
        answer = null;
      }
    }
    if (mine !== sequence) return null;
    clearTimeout(slow);
    list.removeAttribute("aria-busy");
    if (failure) {
      list.replaceChildren();
      shown = new Set();
      status.textContent = "Search failed: the index could not be loaded. "
        + "Check your connection and try again.";
      more.hidden = jumpLine.hidden = true;
      list.dataset.error = failure;
    } else {
      delete list.dataset.error;
    }
    list.dataset.count = String(shown.size);
    list.dataset.query = key(s); // what the list shows (tests and benchmarks wait for it)
    return answer;
  };

  let debounce = 0;
  const soon = (delay) => {
    clearTimeout(debounce);
    debounce = setTimeout(run, delay);
  };
  // In the search box a short pause only coalesces a burst of keystrokes (stale answers are
  // dropped, see `sequence`). A filter value being typed (in its own field, or `tag:PH…` at
  // the end of the box) waits for a longer pause: a partial value names no filter file.
  const pause = (target) => {
    if (target.tagName === "SELECT") return 0;
    if (target !== field("q") || /\w:\S*$/.test(target.value)) return 300;
    return 20;
  };
  form.addEventListener("input", (event) => soon(pause(event.target)));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearTimeout(debounce);
    const answer = await run();
    if (answer && answer.jump) location.assign(answer.jump);
  });
  more.addEventListener("click", async () => {
    const before = shown.size;
    await run(true);
    const next = list.children[before];
    if (next) next.querySelector("a").focus();
  });
  field("origin").addEventListener("focus", async () => { // suggest the posts
    const names = Object.keys((await engine.load("origins.json").catch(() => null)) || {});
    document.getElementById("search-origins").replaceChildren(...names.sort().map((name) => {
      const option = el("option");
      option.value = name;
      return option;
    }));
  }, { once: true });
  document.addEventListener("keydown", (event) => { // "/" goes to the search box
    const target = event.target;
    if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey
      && !/^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName) && !target.isContentEditable) {
      event.preventDefault();
      field("q").focus();
    }
  });

  // The state comes from the URL: ?q=…&tag=…&origin=…&classification=…&from=…&to=…&sort=date
  const params = new URLSearchParams(location.search);
  for (const name of ["q", "tag", "origin", "classification", "from", "to", "sort"]) {
    if (params.has(name)) field(name).value = params.get(name);
  }
  box.classList.add("search-ready");
  if (isEmpty(state())) {
    field("q").focus();
    list.dataset.query = key(state());
  } else {
    run();
  }
})();
