// Bemi dashboard: progressive enhancement only; every page works without this script.
(function () {
  'use strict';

  // Show <time> elements in the viewer's zone; the title keeps the exact UTC value.
  var format = new Intl.DateTimeFormat(undefined, {
    year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit'
  });
  function localize(root) {
    root.querySelectorAll('time[datetime]').forEach(function (el) {
      var d = new Date(el.getAttribute('datetime'));
      if (!isNaN(d.getTime())) {
        el.textContent = format.format(d);
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
