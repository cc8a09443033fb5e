// Card payment with Stripe.js: the card Element turns the card into a token in the browser; the server
// creates and confirms the PaymentIntent; 3-D Secure, when the bank asks for it, is finished here.
(function () {
  "use strict";
  var form = document.getElementById("payment-form");
  if (!form || typeof Stripe === "undefined") { return; }
  var stripe = Stripe(form.dataset.publishableKey, { locale: form.dataset.locale });
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  var errors = document.getElementById("card-errors");
  var button = document.getElementById("pay-button");

  function fail(message) {
    errors.textContent = message || form.dataset.messageGeneric;
    button.disabled = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    errors.textContent = "";
    button.disabled = true;
    stripe.createToken(card).then(function (result) {
      if (result.error) { return fail(result.error.message); }
      return fetch(form.dataset.payUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": form.dataset.csrf, Accept: "application/json" },
        body: JSON.stringify({ card: result.token.card.id })
      }).then(function (response) {
        return response.json().catch(function () { return {}; });
      }).then(function (data) {
        if (data.error || !data.return_url) { return fail(data.error); }
        if (data.status === "requires_action") {
          // The result is read on the server at the return URL, whatever the page is told here.
          return stripe.confirmCardPayment(data.client_secret).then(function () {
            window.location.assign(data.return_url);
          });
        }
        window.location.assign(data.return_url);
      });
    }).catch(function () { fail(); });
  });
})();
