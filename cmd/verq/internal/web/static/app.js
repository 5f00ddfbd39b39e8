// verq page script: filters the module list as you type, auto-submits the runtime selector and
// copies require lines. The page works without it: the form submits ?q= and ?runtime= to the server.
(function () {
  'use strict';

  function each(list, fn) {
    for (var i = 0; i < list.length; i++) fn(list[i], i);
  }

  // Runtime selector: load the chosen runtime at once.
  each(document.querySelectorAll('select[data-autosubmit]'), function (sel) {
    sel.addEventListener('change', function () {
      if (sel.form) sel.form.submit();
    });
  });

  // Search: the same rule as the server (a substring of the name or of one name@version, ignoring case).
  var input = document.querySelector('input[data-filter]');
  if (input) {
    var list = document.getElementById(input.getAttribute('data-filter'));
    var count = document.getElementById(input.getAttribute('data-count'));
    var empty = document.getElementById(input.getAttribute('data-empty'));
    var items = list ? list.querySelectorAll('[data-search]') : [];
    var total = items.length;
    var apply = function () {
      var raw = input.value.trim();
      var q = raw.toLowerCase();
      var shown = 0;
      each(items, function (el) {
        var match = q === '' || el.getAttribute('data-search').indexOf(q) !== -1;
        el.hidden = !match;
        if (match) shown++;
      });
      if (count) {
        count.textContent = q === '' ? total + ' modules' : shown + ' of ' + total + ' modules match \u201c' + raw + '\u201d';
      }
      if (empty) empty.hidden = shown !== 0;
      if (window.history && window.history.replaceState && window.URL) {
        var url = new URL(window.location.href);
        if (raw) url.searchParams.set('q', raw); else url.searchParams.delete('q');
        window.history.replaceState(null, '', url.toString());
      }
    };
    input.addEventListener('input', apply);
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && input.value !== '') {
        input.value = '';
        apply();
      }
    });
    // With the script running, Enter filters in place instead of reloading the page.
    if (input.form) {
      input.form.addEventListener('submit', function (e) {
        var sel = input.form.querySelector('select[data-autosubmit]');
        if (!sel || sel.value === sel.getAttribute('data-current')) {
          e.preventDefault();
          apply();
        }
      });
      var sel = input.form.querySelector('select[data-autosubmit]');
      if (sel) sel.setAttribute('data-current', sel.value);
    }
    if (input.value.trim() !== '') apply();
  }

  // Copy buttons: hidden in the markup, shown when the script can copy.
  function fallbackCopy(text) {
    var ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.className = 'offscreen';
    document.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (err) { ok = false; }
    document.body.removeChild(ta);
    return ok;
  }

  function flash(btn, text) {
    var old = btn.getAttribute('data-label') || btn.textContent;
    btn.setAttribute('data-label', old);
    btn.textContent = text;
    btn.classList.add('copied');
    window.setTimeout(function () {
      btn.textContent = old;
      btn.classList.remove('copied');
    }, 1500);
  }

  each(document.querySelectorAll('button[data-copy]'), function (btn) {
    btn.hidden = false;
    btn.addEventListener('click', function () {
      var text = btn.getAttribute('data-copy');
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { flash(btn, 'Copied'); }, function () {
          flash(btn, fallbackCopy(text) ? 'Copied' : 'Press Ctrl+C');
        });
      } else {
        flash(btn, fallbackCopy(text) ? 'Copied' : 'Press Ctrl+C');
      }
    });
  });
})();
