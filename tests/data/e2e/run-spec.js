// Runs one spec file with mocha and the mochawesome reporter, as `cypress run` runs
// each spec on its own with `--reporter mochawesome`, and records what Cypress would
// have saved beside the report: a screenshot per failed attempt and per failed hook,
// named as Cypress names them, and each test's attempts.
//
//   node run-spec.js SPEC REPORT_DIR EVENTS_FILE [mochawesome options...]
//
// Its standard output is mochawesome's console reporter (mocha's spec reporter), as
// Cypress prints it for each spec; make-reports.js frames it as Cypress's log.
const fs = require("node:fs");
const path = require("node:path");
const { Mocha } = require("mocha");

const [spec, reportDir, eventsFile] = process.argv.slice(2);
const specName = path.basename(spec);

// Cypress's names (its system tests' snapshots show them, see README.md): the titles
// joined by " -- ", "(failed)", and "(attempt N)" from the second attempt on; a
// failed hook adds "<kind> hook" after the title of the test it ran for.
function screenshotName(titles, attempt) {
  const suffix = attempt > 1 ? ` (failed) (attempt ${attempt})` : " (failed)";
  return `cypress/screenshots/${specName}/${titles.join(" -- ")}${suffix}.png`;
}

const screenshots = [];
const attempts = {};

const mocha = new Mocha({
  reporter: "mochawesome",
  reporterOptions: {
    reportDir,
    overwrite: "false",
    html: "false",
    json: "true",
  },
});
mocha.addFile(path.resolve(spec));

async function main() {
  // mocha 12 loads spec files as modules: asynchronously.
  await mocha.loadFilesAsync();
  const runner = mocha.run((failures) => {
    fs.writeFileSync(eventsFile, JSON.stringify({ spec: specName, screenshots, attempts }, null, 2));
    process.exitCode = failures ? 1 : 0;
  });
  listen(runner);
}

function listen(runner) {
runner.on("retry", (test) => {
  screenshots.push(screenshotName(test.titlePath(), test.currentRetry() + 1));
});
runner.on("fail", (runnable) => {
  if (runnable.type === "hook") {
    const kind = runnable.originalTitle.replace(/^"(.*)" hook.*$/, "$1");
    const test = runnable.ctx.currentTest;
    screenshots.push(screenshotName([...test.titlePath(), `${kind} hook`], 1));
  } else {
    screenshots.push(screenshotName(runnable.titlePath(), runnable.currentRetry() + 1));
  }
});
runner.on("test end", (test) => {
  attempts[test.fullTitle()] = test.currentRetry() + 1;
});
}

main();
