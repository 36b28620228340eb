import { MemoryStore } from '@settle/core';
import { runStoreConformance } from '../src/index';

runStoreConformance('MemoryStore', () => ({ store: new MemoryStore() }));
