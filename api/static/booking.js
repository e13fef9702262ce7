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
  let authenticating = null;  // the client secret whose 3-D Secure step is under way

  // The page's words, in its language (data-msg-* attributes of #payment-words); English where a page gives none.
  const ENGLISH = {
    position: "(number {position})",
    declined: "Payment declined: {reason} You can try another card.",
    confirming: "Your bank asks you to confirm the payment…",
    notConfirmed: "The bank did not confirm the payment: {reason} You can try again or use another card.",
    authenticationFailed: "authentication failed",
    cardRefused: "The card was not accepted.",
    notSent: "The payment could not be sent.",
    sent: "Payment sent: waiting for the bank…",
  };
  function msg(name, facts) {
    const key = "msg" + name.charAt(0).toUpperCase() + name.slice(1);
    const words = document.getElementById("payment-words");
    let text = (words && words.dataset[key]) || ENGLISH[name];
    Object.keys(facts || {}).forEach(function (fact) { text = text.split("{" + fact + "}").join(facts[fact]); });
    return text;
  }

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
      label.textContent = state.label + (state.waitlist_position ? " " + msg("position", { position: state.waitlist_position }) : "");
      root.dataset.status = state.status;
      payBox.hidden = !state.payable;
      if (state.payable && state.payment_status === "requires_action" && state.client_secret &&
          authenticating !== state.client_secret) {
        mountCard();
        authenticate(state.client_secret);
      }
      if (state.payable) {
        mountCard();
        button.disabled = state.payment_status === "processing" || state.payment_status === "succeeded";
        if (state.failure) showError(msg("declined", { reason: state.failure }));
      }
      if (state.final) { showError(""); return; }
    }
    window.setTimeout(refresh, 1000);
  }

  // The bank asks the cardholder to confirm (3-D Secure): Stripe.js shows its dialog; the
  // outcome reaches us through Stripe's webhook, like any payment.
  async function authenticate(clientSecret) {
    authenticating = clientSecret;
    label.textContent = msg("confirming");
    const act = stripe.handleNextAction ? stripe.handleNextAction.bind(stripe) : null;
    const result = act ? await act({ clientSecret: clientSecret }) : await stripe.confirmCardPayment(clientSecret);
    if (result && result.error) {
      showError(msg("notConfirmed", { reason: result.error.message || msg("authenticationFailed") }));
      button.disabled = false;
    }
  }

  async function paymentMethod() {
    const made = await stripe.createPaymentMethod({ type: "card", card: card });
    if (made && made.error) throw new Error(made.error.message);
    if (made && made.paymentMethod) return made.paymentMethod.id;
    // localstripe's fake Stripe.js makes no PaymentMethods; the card of a token stands in.
    const tokenised = await stripe.createToken(card);
    if (tokenised.error) throw new Error(tokenised.error.message || msg("cardRefused"));
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
        throw new Error(body.error || body.message || msg("notSent"));
      }
      label.textContent = msg("sent");
    } catch (e) {
      showError(e.message);
      button.disabled = false;
    }
  });

  refresh();
})();
