// download: save data the app holds as a file on her device, through a
// link to a Blob with a `download` name: the file never goes back through
// the server, and the page's CSP (web/index.html) governs no download.
export function downloadJson(data, filename) {
  const blob = new Blob([`${JSON.stringify(data, null, 2)}\n`], { type: 'application/json' });
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
