// Bemi dashboard: progressive enhancement only; every page works without this script.
(function () {
  'use strict';

  // Show <time> elements in the viewer's zone; the title keeps the exact UTC value.
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function local(d) {
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' +
      pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
  }
  function localize(root) {
    root.querySelectorAll('time[datetime]').forEach(function (el) {
      var d = new Date(el.getAttribute('datetime'));
      if (!isNaN(d.getTime())) {
        el.textContent = local(d);
        el.title = el.title + ' · shown in ' + zone;
      }
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    localize(document);
    // Drop empty filter fields so shared URLs stay short.
    var filters = document.querySelector('form.filters');
    if (filters) {
      filters.addEventListener('submit', function () {
        filters.querySelectorAll('input[name]').forEach(function (input) {
          if (input.type !== 'checkbox' && input.value.trim() === '') {
            input.disabled = true;
          }
        });
      });
    }
  });
})();
