(()=>{var e=document.getElementById("viewer");e.dataset.state="error";e.textContent="The viewer is being built.";})();
