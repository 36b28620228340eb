import { MemoryStore } from '@settle/core';
import { runNotifierScenarios } from '../src/index';

runNotifierScenarios('MemoryStore', () => ({ store: new MemoryStore() }));
