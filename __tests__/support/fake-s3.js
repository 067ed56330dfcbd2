#!/usr/bin/env node
/**
 * A stand-in for S3's ListObjectsV2 in plan-all tests (a separate process: the test blocks in spawnSync while
 * plan-all runs). Usage: node fake-s3.js KEYS_JSON REQUESTS_FILE STATUS. Answers every GET with the keys as a
 * ListObjectsV2 result (two pages, so pagination is exercised), or with STATUS when it is not 200; appends
 * "<method> <url> <authorization header>" per request to REQUESTS_FILE; prints its port on stdout once listening.
 */
'use strict';
const http = require('http');
const fs = require('fs');

const [keysJson, requestsFile, status = '200'] = process.argv.slice(2);
const keys = JSON.parse(keysJson);
const half = Math.ceil(keys.length / 2);
const xml = (list, next) =>
  `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>${next ? 'true' : 'false'}</IsTruncated>${list
    .map((k) => `<Contents><Key>${k}</Key><Size>1</Size></Contents>`)
    .join('')}${next ? `<NextContinuationToken>${next}</NextContinuationToken>` : ''}<KeyCount>${list.length}</KeyCount></ListBucketResult>`;

const server = http.createServer((req, res) => {
  fs.appendFileSync(requestsFile, `${req.method} ${req.url} ${req.headers.authorization || ''}\n`);
  req.resume();
  if (status !== '200') {
    res.writeHead(Number(status), { 'content-type': 'application/xml' });
    res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
    return;
  }
  const second = new (require('url').URL)(req.url, 'http://x').searchParams.get('continuation-token') === 'page-2';
  res.writeHead(200, { 'content-type': 'application/xml' });
  res.end(second ? xml(keys.slice(half)) : xml(keys.slice(0, half), 'page-2'));
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
