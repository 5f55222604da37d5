/// The one small hand-written stylesheet (CONSOLE.md): system fonts, one accent colour, no CDN.
enum Stylesheet {
    static let css = """
    :root { --accent: #0b5cad; --accent-dark: #084a8c; --text: #1d2430; --muted: #5b6472; --line: #d9dee5;
      --bg: #f6f8fa; --danger: #b42318; --ok: #1a7f37; --radius: 6px; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--text); background: var(--bg); }
    a { color: var(--accent); }
    a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
    .skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 6px; z-index: 10; }
    .topbar { display: flex; flex-wrap: wrap; align-items: center; gap: 12px 20px; padding: 10px 20px; background: #fff; border-bottom: 1px solid var(--line); }
    .brand { font-weight: 700; font-size: 1.15rem; text-decoration: none; color: var(--text); margin-right: auto; }
    .languages a { padding: 2px 6px; text-decoration: none; border-radius: var(--radius); }
    .languages a.current { background: var(--accent); color: #fff; }
    details.menu { position: relative; } details.menu summary { cursor: pointer; list-style: none; padding: 4px 10px; border: 1px solid var(--line); border-radius: var(--radius); background: #fff; }
    details.menu summary::-webkit-details-marker { display: none; }
    details.menu ul, details.menu .menu-body { position: absolute; right: 0; z-index: 5; min-width: 240px; margin: 4px 0 0; padding: 8px; list-style: none; background: #fff; border: 1px solid var(--line); border-radius: var(--radius); box-shadow: 0 6px 20px rgba(0,0,0,.08); }
    details.switcher ul { left: 0; right: auto; }
    details.menu li { padding: 4px 2px; } details.menu li.separated { border-top: 1px solid var(--line); margin-top: 4px; padding-top: 8px; }
    .shell { display: grid; grid-template-columns: 220px minmax(0, 1fr); min-height: calc(100vh - 56px); }
    .shell.single { grid-template-columns: minmax(0, 1fr); }
    .side { background: #fff; border-right: 1px solid var(--line); padding: 16px; }
    .side ul { list-style: none; margin: 0; padding: 0; } .side li a { display: block; padding: 8px 10px; border-radius: var(--radius); text-decoration: none; color: var(--text); }
    .side li a[aria-current=page] { background: #e7f0fa; color: var(--accent-dark); font-weight: 600; }
    .org-name { font-weight: 600; margin: 0 0 12px; }
    .content { padding: 24px 32px; max-width: 1100px; }
    .narrow { max-width: 460px; margin: 24px auto; background: #fff; padding: 24px; border: 1px solid var(--line); border-radius: var(--radius); }
    .page-head { display: flex; justify-content: space-between; align-items: center; gap: 12px; }
    .card { background: #fff; border: 1px solid var(--line); border-radius: var(--radius); padding: 16px 20px; margin: 16px 0; }
    .form .field { margin: 0 0 14px; } .field label { display: block; font-weight: 600; margin-bottom: 4px; }
    input, select { font: inherit; padding: 8px 10px; border: 1px solid #8a94a3; border-radius: var(--radius); width: 100%; max-width: 420px; background: #fff; }
    .inline { display: inline-flex; gap: 8px; align-items: flex-end; flex-wrap: wrap; margin: 4px 0; } .inline .field { margin: 0; }
    .field.has-error input, .field.has-error select { border-color: var(--danger); }
    .error { color: var(--danger); margin: 4px 0 0; } .hint, .muted { color: var(--muted); }
    .error-summary { border: 2px solid var(--danger); background: #fff5f5; padding: 10px 14px; border-radius: var(--radius); margin: 0 0 16px; }
    .flash { border-left: 4px solid var(--ok); background: #f0faf2; padding: 10px 14px; border-radius: var(--radius); }
    .button { display: inline-block; font: inherit; font-weight: 600; padding: 8px 16px; border-radius: var(--radius); border: 1px solid transparent; cursor: pointer; text-decoration: none; }
    .button.primary { background: var(--accent); color: #fff; } .button.primary:hover { background: var(--accent-dark); }
    .button.secondary { background: #fff; color: var(--accent); border-color: var(--accent); }
    .button.danger { background: var(--danger); color: #fff; }
    .button.link { background: none; border: none; padding: 0; color: var(--accent); text-decoration: underline; font-weight: 400; }
    .danger-link { color: var(--danger); }
    .actions { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
    .table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); border-radius: var(--radius); }
    .table th, .table td { text-align: left; padding: 10px 12px; border-bottom: 1px solid var(--line); vertical-align: top; }
    .table th { font-size: .85rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
    .badge { display: inline-block; padding: 1px 8px; border-radius: 999px; background: #eef1f5; font-size: .85rem; }
    .badge.role-legal_representative { background: #e7f0fa; color: var(--accent-dark); }
    .empty { padding: 16px; background: #fff; border: 1px dashed var(--line); border-radius: var(--radius); color: var(--muted); }
    .support-code { font-size: 1.8rem; font-weight: 700; letter-spacing: .08em; margin: 4px 0; }
    code.token { display: block; padding: 8px; background: #fff; border: 1px solid var(--line); word-break: break-all; }
    dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; } dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
    .consequence { font-size: 1.1rem; }
    fieldset.field { border: 1px solid var(--line); border-radius: var(--radius); padding: 10px 14px; margin: 0 0 14px; background: #fff; }
    fieldset.field legend { font-weight: 600; padding: 0 4px; }
    label.choice { display: block; margin: 4px 0; font-weight: 400; } label.choice input { width: auto; }
    input[type=checkbox], input[type=radio] { width: auto; }
    .badge.ok, .badge.state-active { background: #e6f4ea; color: #1a5e2a; }
    .badge.state-invited { background: #fff4d6; color: #6b4a00; }
    .badge.state-ended, .badge.state-declined, .badge.state-expired, .badge.state-withdrawn { background: #f1f1f1; color: #4a4a4a; }
    .badge.access-full { background: #e7f0fa; color: var(--accent-dark); } .badge.access-limited { background: #f3eafd; color: #5b2a86; }
    .badge + .badge { margin-left: 4px; }
    .client-band { background: #fff4d6; border: 1px solid #e6c35c; border-radius: var(--radius); padding: 10px 14px; margin-bottom: 16px; font-weight: 600; }
    .pagination { margin: 12px 0; } .narrow.wide { max-width: 760px; }
    .mail-body { background: #fff; border: 1px solid var(--line); padding: 12px 16px; border-radius: var(--radius); }
    .chart svg { max-width: 640px; display: block; } .bar-cashback { fill: #2b6cb0; } .bar-discount { fill: #7fb3e6; }
    .key::before { content: ""; display: inline-block; width: 10px; height: 10px; margin-right: 4px; } .key-cashback::before { background: #2b6cb0; } .key-discount::before { background: #7fb3e6; }
    .volume progress { width: 100%; max-width: 480px; height: 16px; display: block; margin: 4px 0 12px; }
    .balances .balance { font-size: 1.4em; font-weight: 600; margin-right: 24px; } .number { text-align: right; white-space: nowrap; }
    .steps { margin: 0; padding-left: 18px; } .facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; } .facts dt { font-weight: 600; }
    .invoice header { margin-bottom: 16px; } .note { font-style: italic; }
    fieldset.checks { border: 1px solid var(--line); border-radius: var(--radius); padding: 8px 12px; display: flex; flex-wrap: wrap; gap: 4px 16px; }
    fieldset.checks legend { font-weight: 600; padding: 0 4px; } fieldset.checks .hint, fieldset.checks .error { flex-basis: 100%; }
    label.check { display: inline-flex; align-items: center; gap: 4px; font-weight: normal; } .field.check label { font-weight: normal; }
    .tender-list, .directory, .offers { list-style: none; padding: 0; } .tender h2, .directory h2 { font-size: 1.1rem; margin: 0 0 4px; }
    .excerpt { margin: 6px 0 0; } .badge.danger { background: #fde8e8; color: #8a1c1c; } .badge.muted { background: #f1f1f1; color: #4a4a4a; }
    tr.flagged td { background: #fff7f7; } nav.tabs { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 12px; }
    .inline-fields { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: flex-end; } textarea { width: 100%; font: inherit; }
    @media print { .side, .topbar, .skip, .no-print, nav, .languages { display: none !important; } .shell { display: block; } .content { padding: 0; }
      body { background: #fff; } .card, .invoice { border: none; box-shadow: none; } a { color: inherit; text-decoration: none; } }
    .content { min-width: 0; overflow-wrap: anywhere; }
    @media (max-width: 520px) { dl.facts, .facts { grid-template-columns: minmax(0, 1fr); gap: 2px 0; } dl.facts dd, .facts dd { margin: 0 0 8px; overflow-wrap: anywhere; } }
    @media (max-width: 720px) { .shell { grid-template-columns: minmax(0, 1fr); } .table { display: block; overflow-x: auto; } .side { border-right: none; border-bottom: 1px solid var(--line); } .content { padding: 16px; }
      .table { display: block; overflow-x: auto; } }
    """
}
