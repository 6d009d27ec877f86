import { mount } from 'svelte';
import App from './App.svelte';
import '@tote/ui/theme.css';
import './app.css';

mount(App, { target: document.getElementById('app')! });
