// Search results: a result whose title is exactly what was typed (an operation or model
// name such as get_users_me) goes first. The search index ranks by term statistics, which
// put a rarer longer name (get_users_me_verifiers) above the exact one.
(function () {
  function exactFirst(list) {
    var input = document.querySelector(".md-search__input");
    if (!input) return;
    var query = input.value.trim().toLowerCase();
    if (!query) return;
    var items = list.querySelectorAll(":scope > .md-search-result__item");
    for (var i = 1; i < items.length; i++) {
      var title = items[i].querySelector("h1, h2");
      if (title && title.textContent.trim().toLowerCase() === query) {
        list.insertBefore(items[i], items[0]);  // one move: the observer sees it first next time
        return;
      }
    }
  }
  function watch() {
    var list = document.querySelector(".md-search-result__list");
    if (!list) return;
    new MutationObserver(function () { exactFirst(list); }).observe(list, { childList: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
  else watch();
})();
