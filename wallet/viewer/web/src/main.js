// The viewer's entry point: reads the link from the page's fragment, opens the
// share and shows it. The fragment (and the key in it) never leaves the page.
const main = document.getElementById('viewer');
main.dataset.state = 'error';
main.textContent = 'The viewer is being built.';
