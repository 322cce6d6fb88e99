#!/usr/bin/env node
import { main } from '../dist/lib/commands/capture.js';

main();
