import { mount } from 'svelte';
import App from '../../popup/App.svelte';
import '@tote/ui/theme.css';
import '../../popup/popup.css';

mount(App, { target: document.getElementById('app')! });
