import Hummingbird

/// The pages' one stylesheet, served from `/static/site.css`: the Content-Security-Policy allows
/// styles only from the site itself, never inline. Hangul first: a font stack with the common
/// Korean faces, `word-break: keep-all` so words are not split mid-syllable-block, generous
/// line height. On a narrow screen a table's rows stack, each cell labeled with its column.
enum Stylesheet {
    static let path = "/static/site.css"

    static func response() -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: css)))
    }

    static let css = """
        :root {
          --ink: #1d2330; --muted: #5b6475; --line: #d9dde5; --paper: #ffffff; --tint: #f4f6f9;
          --accent: #0b5cad; --overdue: #b42318; --soon: #b54708; --ok: #067647; --none: #475467;
        }
        * { box-sizing: border-box; }
        html {
          font-family: "Noto Sans CJK KR", "Noto Sans KR", "Apple SD Gothic Neo", "Malgun Gothic", "맑은 고딕",
            system-ui, -apple-system, "Segoe UI", sans-serif;
          font-size: 100%; line-height: 1.7; color: var(--ink); background: var(--paper);
          -webkit-text-size-adjust: 100%;
        }
        body { margin: 0; word-break: keep-all; overflow-wrap: anywhere; }
        :lang(en) { word-break: normal; }
        a { color: var(--accent); }
        a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible,
        .table-wrap:focus-visible { outline: 3px solid #f79009; outline-offset: 2px; }
        .skip { position: absolute; left: -999em; }
        .skip:focus { left: 1em; top: 1em; background: var(--paper); padding: .5em 1em; z-index: 10; }
        header.site {
          display: flex; flex-wrap: wrap; align-items: center; gap: .5em 1.5em; padding: .75em 1.25em;
          border-bottom: 1px solid var(--line); background: var(--tint);
        }
        header.site .brand { font-weight: 700; font-size: 1.1em; color: var(--ink); text-decoration: none; }
        header.site nav ul { display: flex; flex-wrap: wrap; gap: .25em 1em; list-style: none; margin: 0; padding: 0; }
        header.site .lang { margin-left: auto; }
        main { max-width: 72em; margin: 0 auto; padding: 1em 1.25em 3em; }
        h1 { font-size: 1.6em; line-height: 1.4; margin: .5em 0 .25em; }
        h2 { font-size: 1.25em; margin: 1.75em 0 .5em; }
        .currency { color: var(--muted); font-size: .9em; margin-top: 0; }
        .lead { font-size: 1.05em; }
        .meter { display: flex; flex-wrap: wrap; gap: .75em; list-style: none; padding: 0; margin: .5em 0 1em; }
        .meter li { flex: 1 1 8em; border: 1px solid var(--line); border-radius: .5em; padding: .5em .75em; }
        .meter a { text-decoration: none; color: inherit; display: block; }
        .meter .count { display: block; font-size: 1.8em; font-weight: 700; line-height: 1.2; }
        .meter .overdue .count { color: var(--overdue); }
        .meter .due_soon .count { color: var(--soon); }
        .meter .upcoming .count, .meter .met .count, .meter .fulfilled .count { color: var(--ok); }
        .badge { display: inline-block; border-radius: 1em; padding: 0 .6em; font-size: .85em; background: var(--tint);
          border: 1px solid var(--line); white-space: nowrap; }
        .badge.overdue, .badge.broken { color: var(--overdue); border-color: var(--overdue); }
        .badge.due_soon, .badge.stalled { color: var(--soon); border-color: var(--soon); }
        .badge.upcoming, .badge.fulfilled, .badge.met { color: var(--ok); border-color: var(--ok); }
        form.filters {
          display: flex; flex-wrap: wrap; gap: .75em 1em; align-items: flex-end; padding: .75em 1em;
          background: var(--tint); border: 1px solid var(--line); border-radius: .5em; margin: 1em 0;
        }
        .field { display: flex; flex-direction: column; min-width: 10em; }
        .field label, .field legend { font-size: .9em; color: var(--muted); }
        fieldset.checks { border: 0; padding: 0; margin: 0; flex-direction: row; flex-wrap: wrap; gap: 0 .75em; }
        fieldset.checks legend { width: 100%; }
        .check { white-space: nowrap; }
        input, select, button { font: inherit; padding: .35em .5em; border: 1px solid #98a2b3; border-radius: .35em; }
        button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
        .table-wrap { overflow-x: auto; margin: .5em 0 1.5em; }
        table { border-collapse: collapse; width: 100%; }
        caption { text-align: left; font-weight: 700; padding: .25em 0 .5em; }
        th, td { text-align: left; vertical-align: top; padding: .5em .6em; border-bottom: 1px solid var(--line); }
        thead th { background: var(--tint); font-size: .9em; white-space: nowrap; }
        tbody th { font-weight: 600; }
        .muted, .id { color: var(--muted); font-size: .85em; }
        .id { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; overflow-wrap: anywhere; }
        ol.story { list-style: none; padding: 0; margin: 0; border-left: 3px solid var(--line); }
        ol.story > li { position: relative; padding: .25em 0 1em 1.25em; }
        ol.story > li::before { content: ""; position: absolute; left: -.55em; top: .75em; width: .8em; height: .8em;
          border-radius: 50%; background: var(--accent); }
        ol.story .when { font-weight: 700; }
        ol.story .recorded { color: var(--muted); font-size: .85em; }
        .retracted > .body { text-decoration: line-through; color: var(--muted); }
        .correction, .retraction { border-left: 3px solid var(--soon); padding-left: .75em; margin: .5em 0; }
        .retraction { border-color: var(--overdue); }
        .unlinked { color: var(--muted); overflow-wrap: anywhere; }
        blockquote { margin: .5em 0; padding-left: 1em; border-left: 3px solid var(--line); }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25em 1em; }
        dl.facts dt { color: var(--muted); }
        dl.facts dd { margin: 0; }
        mark { background: #fef0c7; }
        .error { border: 1px solid var(--overdue); border-radius: .5em; padding: 1em; }
        footer.site { border-top: 1px solid var(--line); color: var(--muted); font-size: .9em; padding: 1em 1.25em; }
        @media (max-width: 40em) {
          main { padding: .75em .75em 2em; }
          h1 { font-size: 1.35em; }
          header.site .lang { margin-left: 0; }
          table.stack thead { position: absolute; left: -999em; }
          table.stack caption { display: block; width: 100%; }
          form.filters .field { flex: 1 1 100%; }
          form.filters .field input:not([type="checkbox"]), form.filters .field select { width: 100%; }
          table.stack, table.stack tbody, table.stack tr, table.stack th, table.stack td { display: block; width: 100%; }
          table.stack tr { border: 1px solid var(--line); border-radius: .5em; margin-bottom: .75em; padding: .25em 0; }
          table.stack th, table.stack td { border: 0; padding: .2em .75em; }
          table.stack tbody th[data-label]::before, table.stack td[data-label]::before {
            content: attr(data-label); display: block; font-size: .8em; font-weight: 400; color: var(--muted);
          }
          .meter { gap: .5em; }
          .meter li { flex: 1 1 5.5em; padding: .3em .5em; font-size: .9em; }
          .meter .count { font-size: 1.4em; }
          dl.facts { grid-template-columns: 1fr; }
          dl.facts dd { margin-bottom: .5em; }
        }

        nav.pager { margin: .75rem 0 1.5rem; }

        """
}
