// Every renderer test starts from the first state of every store and an empty page.
import { cleanup } from '@testing-library/react';
import { afterEach, beforeEach } from 'vitest';
import { resetAllStores } from '../src/store/createStore';

beforeEach(() => resetAllStores());
afterEach(() => cleanup());
