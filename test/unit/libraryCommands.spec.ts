/**
 * Interpreters used as coreutils (src/core/classify/shell/libraryCommands.ts): `ruby -run -e CMD`
 * (un.rb) and `perl -MExtUtils::Command -e CMD` run shell commands named by one bare word, so the
 * verdict is the verdict of that command; their static file servers (`ruby -run -e httpd`, `php -S`)
 * are judged like `python -m http.server`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WS } from '../support/env';
import { shellJudge } from '../support/shellJudge';

const { decide, allows, blocks, asks } = shellJudge({ [`${WS}/src`]: 'dir', [`${WS}/src/a.ts`]: 'file', [`${WS}/build`]: 'dir' });

test('ruby -run -e rm/mv/cp/chmod: judged as the coreutils command they run, whatever the spelling of -r un', () => {
  blocks([
    'ruby -run -e rm -- -rf ~/data',
    'ruby -r un -e rm -- -rf ~',
    'ruby -run -e rm -rf /etc',
    'ruby -w -run -e mv -- ~/.ssh /tmp/x',
    'ruby -run -e chmod -- 777 ~/.ssh/id_rsa',
    'ruby -run -e cp -- ~/.aws/credentials /tmp/c',
    'ruby -run -e install -- -m 644 evil ~/.ssh/authorized_keys',
    'ruby -run -e ln -- -sf /dev/null ~/.bash_history',
  ]);
  assert.equal(decide('ruby -run -e rm -- -rf ~').decision, 'deny');
  // The same commands on the project are ordinary work.
  allows(['ruby -run -e mkdir -- -p build/out', 'ruby -run -e touch -- build/stamp', 'ruby -run -e help', 'ruby -run -e rm -- -f build/stamp']);
});

test('perl -MExtUtils::Command -e rm_rf/mkpath/mv: judged as rm -rf, mkdir -p, mv', () => {
  assert.equal(decide('perl -MExtUtils::Command -e rm_rf ~/data').decision, 'deny');
  blocks(['perl -M ExtUtils::Command -e rm_f ~/.ssh/id_rsa', 'perl -MExtUtils::Command -e mv ~/.ssh /tmp/s', 'perl -MExtUtils::Command -e chmod 0777 /etc/passwd', 'perl -MExtUtils::Command -e cat ~/.ssh/id_rsa']);
  allows(['perl -MExtUtils::Command -e mkpath build/x', 'perl -MExtUtils::Command -e touch build/stamp', 'perl -MExtUtils::Command -e test_f src/a.ts', 'perl -MExtUtils::Command -e eqtime src/a.ts build/stamp']);
});

test('an un.rb or ExtUtils::Command name Airlock does not know asks; other inline code is scanned as before', () => {
  assert.equal(decide('ruby -run -e wait_writable -- x').decision, 'ask');
  assert.equal(decide('perl -MExtUtils::Command -e dos2unix src/a.ts').decision, 'ask');
  // Not a bare command word: the code scanner judges it (FileUtils.rm_rf of the home).
  blocks(['ruby -run -e "FileUtils.rm_rf(Dir.home)"']);
  // Without the library the bare word is only a name (Ruby raises NameError): read.
  allows(['ruby -e rm']);
});

test('static servers: ruby -run -e httpd and php -S of the workspace run; of the home folder or / they ask', () => {
  allows(['ruby -run -e httpd . -p 8000', 'ruby -run -e httpd -- --port=8000 build', 'php -S localhost:8000', 'php -S 127.0.0.1:8080 -t build']);
  asks(['ruby -run -e httpd ~ -p 8000', 'ruby -run -e httpd -- --bind-address 0.0.0.0 --port 80 /', 'cd ~ && ruby -run -e httpd', 'php -S 0.0.0.0:8000 -t ~', 'php -S 0.0.0.0:80 -t/', 'cd /etc && php -S 0.0.0.0:80', 'php -S 0.0.0.0:80 -t "$DOCROOT"']);
  assert.match(decide('php -S 0.0.0.0:8000 -t ~').reasons.join(' '), /serves \/home\/\w+ over HTTP/);
});

test('touch: the value of -r / -d / -t is not a file it creates', () => {
  allows(['touch -d yesterday build/stamp', 'touch -r src/a.ts build/stamp', 'touch -t 202001010000 build/stamp']);
  const d = decide('touch -r /etc/passwd build/stamp');
  assert.equal(d.decision, 'allow', d.reasons.join(' | '));
});
