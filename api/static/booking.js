// Booking and sponsorship pages: follow the status without reloading, and pay with Stripe.js.
(function () {
  "use strict";
  const root = document.getElementById("booking");
  if (!root) return;
  const label = document.getElementById("status-label");
  const payBox = document.getElementById("pay");
  const payError = document.getElementById("pay-error");
  const form = document.getElementById("pay-form");
  const button = document.getElementById("pay-button");
  let stripe = null;
  let card = null;

  function mountCard() {
    if (card || !window.Stripe) return;
    stripe = window.Stripe(root.dataset.publishableKey);
    card = stripe.elements().create("card");
    card.mount("#card");
  }

  function showError(message) {
    payError.textContent = message;
    payError.hidden = !message;
  }

  async function refresh() {
    let state = null;
    try {
      const response = await fetch(root.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (response.ok) state = await response.json();
    } catch (e) { /* a network blip: try again below */ }
    if (state) {
      label.textContent = state.label + (state.waitlist_position ? " (number " + state.waitlist_position + ")" : "");
      root.dataset.status = state.status;
      payBox.hidden = !state.payable;
      if (state.payable) {
        mountCard();
        button.disabled = state.payment_status === "processing" || state.payment_status === "succeeded";
        if (state.failure) showError("Payment declined: " + state.failure + " You can try another card.");
      }
      if (state.final) { showError(""); return; }
    }
    window.setTimeout(refresh, 1000);
  }

  async function paymentMethod() {
    const made = await stripe.createPaymentMethod({ type: "card", card: card });
    if (made && made.error) throw new Error(made.error.message);
    if (made && made.paymentMethod) return made.paymentMethod.id;
    // localstripe's fake Stripe.js makes no PaymentMethods; the card of a token stands in.
    const tokenised = await stripe.createToken(card);
    if (tokenised.error) throw new Error(tokenised.error.message || "The card was not accepted.");
    return tokenised.token.card.id;
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    button.disabled = true;
    showError("");
    try {
      const method = await paymentMethod();
      const response = await fetch(root.dataset.payUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": root.dataset.csrf },
        body: JSON.stringify({ payment_method: method }),
      });
      if (!response.ok) {
        const body = await response.json().catch(function () { return {}; });
        throw new Error(body.error || body.message || "The payment could not be sent.");
      }
      label.textContent = "Payment sent: waiting for the bank…";
    } catch (e) {
      showError(e.message);
      button.disabled = false;
    }
  });

  refresh();
})();
