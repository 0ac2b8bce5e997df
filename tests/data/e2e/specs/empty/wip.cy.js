// A spec whose tests are yet to be written: the run has no test at all.
describe("Wishlist", function () {});
