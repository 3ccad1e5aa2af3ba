// download: save data the app holds as a file on her device, through a
// link to a Blob with a `download` name: the file never goes back through
// the server, and the page's CSP (web/index.html) governs no download.
//   downloadJson(data, filename)       data as indented JSON
//   downloadText(text, filename, type) text as it is (a CSV file...)
//   csvText(rows)                      rows of cells as CSV for Excel
export function downloadJson(data, filename) {
  downloadText(`${JSON.stringify(data, null, 2)}\n`, filename, 'application/json');
}

export function downloadText(text, filename, type = 'text/plain') {
  const blob = new Blob([text], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // (revoked later, not at once: the browser may still be reading it)
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// csvText: rows (arrays of cells) as CSV the way Excel opens it with its
// Vietnamese intact: UTF-8 with a byte order mark, CRLF, every cell quoted
// when it holds a comma, a quote or a line break. A cell starting with =,
// +, - or @ gets a leading apostrophe, so that a spreadsheet does not take
// a value typed into a member list for a formula.
export function csvText(rows) {
  const cell = (v) => {
    let s = v === null || v === undefined ? '' : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return `\uFEFF${rows.map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}
