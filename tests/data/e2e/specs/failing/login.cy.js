// Signing in: the single sign-on suite's `before all` hook fails, so its tests do
// not run.
const addContext = require("mochawesome/addContext");
const { failWith, tinyPngDataUri } = require("../../errors");

describe("Login", function () {
  describe("with SSO", function () {
    before(function () {
      // Some setups embed the screenshot itself in the report, base64-encoded.
      addContext(this, { title: "screenshot", value: tinyPngDataUri() });
      failWith(
        "CypressError",
        "`cy.request()` failed on:\n\nhttp://127.0.0.1:3000/api/sso/config\n\n" +
          "The response we received from your web server was:\n\n  > 503: Service Unavailable",
      );
    });

    it("redirects to the provider", function () {});

    it("returns to the shop signed in", function () {});
  });
});
