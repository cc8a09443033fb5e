// Checkout: show the new-buyer / new-address fields only when chosen, and fill the city and district
// lists from the province chosen (GB/T 2260 divisions from the server).
(function () {
  "use strict";

  document.querySelectorAll("select[data-toggle]").forEach(function (select) {
    var target = document.getElementById(select.dataset.toggle);
    function sync() { target.hidden = select.value !== "0"; }
    select.addEventListener("change", sync);
    sync();
  });

  var row = document.querySelector(".division-row");
  if (!row) { return; }
  var province = row.querySelector('[data-level="province"]');
  var city = row.querySelector('[data-level="city"]');
  var district = row.querySelector('[data-level="district"]');

  function fill(select, code) {
    var first = select.options[0];
    select.innerHTML = "";
    select.appendChild(first);
    if (!code) { return Promise.resolve(); }
    return fetch(row.dataset.childrenUrl.replace("CODE", code), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (items) {
        items.forEach(function (item) {
          var option = document.createElement("option");
          option.value = item.code;
          option.textContent = item.name;
          select.appendChild(option);
        });
        if (items.length === 1) { select.value = items[0].code; select.dispatchEvent(new Event("change")); }
      });
  }

  province.addEventListener("change", function () {
    fill(district, "");
    fill(city, province.value);
  });
  city.addEventListener("change", function () { fill(district, city.value); });
})();
