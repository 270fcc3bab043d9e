// The sndtrk extension: starts `sndtrk lsp` for .sndtrk files, and shows
// the standard library (`sndtrk-std:` documents, where go to definition on
// `import "std/…"` lands) read-only, with the text the server sends.
'use strict';

const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration('sndtrk').get('server.path') || 'sndtrk';
  client = new LanguageClient(
    'sndtrk',
    'sndtrk',
    { command, args: ['lsp'] },
    {
      documentSelector: [
        { scheme: 'file', language: 'sndtrk' },
        { scheme: 'untitled', language: 'sndtrk' },
        { scheme: 'sndtrk-std', language: 'sndtrk' },
      ],
    },
  );
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider('sndtrk-std', {
      async provideTextDocumentContent(uri) {
        const answer = await client.sendRequest('sndtrk/stdlib', { uri: uri.toString() });
        return answer.text;
      },
    }),
  );
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
