import ssh2 from 'ssh2';

const { utils } = ssh2;

/** What ssh2's generator returns: an OpenSSH private key and its one-line public key. */
export interface SshKeyPair {
  private: string;
  public: string;
}

type Ed25519Generator = (type: 'ed25519', options?: { comment?: string }) => SshKeyPair;

/**
 * Why this exists: ssh2's `utils.generateKeyPairSync('ed25519')` strips every leading zero
 * byte from the public key (mscdex/ssh2 #1390, #1513, open in 1.17). About one key in 256
 * starts with 0x00, so its 32-byte key comes out as 31 bytes and ssh2 itself then refuses
 * the pair ("Malformed OpenSSH private key"). The demo fleet makes three keys per start, so
 * roughly one `npm start` in 85 failed, and so did CI now and then.
 *
 * A fresh pair is drawn until ssh2 parses both halves. Eight misses in a row would take
 * odds of 256^-8; if it happens anyway something else is broken, and the error says what.
 */
export function generateEd25519KeyPair(comment?: string, generate: Ed25519Generator = utils.generateKeyPairSync): SshKeyPair {
  const attempts = 8;
  let lastProblem = '';
  for (let attempt = 0; attempt < attempts; attempt++) {
    const pair = generate('ed25519', comment === undefined ? undefined : { comment });
    const privateKey = utils.parseKey(pair.private);
    const publicKey = utils.parseKey(pair.public);
    if (!(privateKey instanceof Error) && !(publicKey instanceof Error)) return pair;
    lastProblem = (privateKey instanceof Error ? privateKey : (publicKey as Error)).message;
  }
  throw new Error(`could not generate an ed25519 key pair that ssh2 accepts in ${attempts} attempts: ${lastProblem}`);
}
