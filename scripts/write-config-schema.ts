// `npm run schema`: writes resources/config.schema.json from the zod schema, the one source.
import { writeFileSync } from 'node:fs';
import { configJsonSchema } from '../main/core/config/exampleConfig';

const file = new URL('../resources/config.schema.json', import.meta.url);
writeFileSync(file, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log(`wrote ${file.pathname}`);
